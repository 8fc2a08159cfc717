//! Plasticity rules, applied event by event to a projection's weights.

pub mod teacher_kernel;

pub use teacher_kernel::{TeacherKernel, TeacherKernelParams};
