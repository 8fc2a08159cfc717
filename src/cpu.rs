//! What this processor can do beyond the build's baseline, detected once at run time.
//!
//! Popcount-heavy loops (bit-matrix volleys counted ahead, SDM activations) have a copy compiled
//! for AVX-512 VPOPCNTDQ and take it where the processor has the instructions; their results
//! are integers, the same on every path.

/// Whether AVX-512 (foundation) and its vector popcount (VPOPCNTDQ) are available.
pub fn has_avx512_popcount() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *HAS.get_or_init(|| {
            std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}
