//! The refresh policy: when to refresh a session, how to back off when the network or the server
//! fails, and what a refused refresh means. Pure: the clock is an argument (milliseconds), so the
//! policy is tested with a fake clock; the JS shell only runs the timers it computes.

/// The most a refresh is done ahead of expiry (supabase-js's margin: 90 s).
pub const MAX_MARGIN_MS: u64 = 90_000;
/// The least a refresh is done ahead of expiry.
pub const MIN_MARGIN_MS: u64 = 5_000;
/// First retry delay after a network failure or a 5xx; doubles on each failure.
pub const FIRST_RETRY_MS: u64 = 500;
/// The longest wait between retries, so a network back after an outage is noticed quickly.
pub const MAX_RETRY_MS: u64 = 30_000;
/// The wait after the server rate-limits refreshes (429), before trying again.
pub const RATE_LIMIT_COOLDOWN_MS: u64 = 60_000;

/// How far ahead of expiry to refresh: a quarter of the token's lifetime, between
/// [`MIN_MARGIN_MS`] and [`MAX_MARGIN_MS`] (90 s for the usual one-hour token; a few seconds for
/// the short tokens of tests, which would otherwise refresh continuously).
pub fn margin_ms(expires_in_s: Option<u64>) -> u64 {
    expires_in_s
        .map(|s| s.saturating_mul(250))
        .unwrap_or(MAX_MARGIN_MS)
        .clamp(MIN_MARGIN_MS, MAX_MARGIN_MS)
}

/// The moment (unix ms) to refresh a session expiring at `expires_at_s`.
pub fn refresh_at_ms(expires_at_s: u64, expires_in_s: Option<u64>) -> u64 {
    expires_at_s
        .saturating_mul(1000)
        .saturating_sub(margin_ms(expires_in_s))
}

/// True when the session should be refreshed before use at `now_ms`.
pub fn due(expires_at_s: u64, expires_in_s: Option<u64>, now_ms: u64) -> bool {
    now_ms >= refresh_at_ms(expires_at_s, expires_in_s)
}

/// Milliseconds to wait before the refresh of a session expiring at `expires_at_s`; 0 when due.
/// `jitter` (0..=1) spreads tabs of one origin a little, so that one of them usually takes the
/// refresh lock before the others wake up.
pub fn delay_ms(expires_at_s: u64, expires_in_s: Option<u64>, now_ms: u64, jitter: f64) -> u64 {
    let at = refresh_at_ms(expires_at_s, expires_in_s);
    let spread = (margin_ms(expires_in_s) / 5) as f64 * jitter.clamp(0.0, 1.0);
    at.saturating_sub(now_ms).saturating_add(spread as u64)
}

/// The wait before retry number `attempt` (1 for the first retry) after a network failure or a
/// 5xx: 0.5 s doubling, at most [`MAX_RETRY_MS`]. Retries go on while the refresh token may still
/// be good: a retryable failure never signs the user out.
pub fn retry_delay_ms(attempt: u32) -> u64 {
    let doublings = attempt.saturating_sub(1).min(16);
    (FIRST_RETRY_MS << doublings).min(MAX_RETRY_MS)
}

/// What to do after a refresh failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Network failure or server error: try again after [`retry_delay_ms`].
    Retry,
    /// The server asked to slow down: try again after this many milliseconds.
    Cooldown(u64),
    /// The refresh token was refused (revoked, reused, unknown): the session is over.
    SignOut,
}

/// Classifies a failed refresh by its HTTP status (0 for a network failure).
pub fn classify_failure(status: u16) -> Failure {
    match status {
        0 | 408 | 500.. => Failure::Retry,
        429 => Failure::Cooldown(RATE_LIMIT_COOLDOWN_MS),
        _ => Failure::SignOut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A fake clock: milliseconds since the epoch, moved by hand.
    struct Clock(u64);
    impl Clock {
        fn advance(&mut self, ms: u64) {
            self.0 += ms;
        }
    }

    #[test]
    fn the_margin_is_90_s_for_an_hour_and_shrinks_for_short_tokens() {
        assert_eq!(margin_ms(Some(3600)), 90_000);
        assert_eq!(margin_ms(None), 90_000);
        assert_eq!(margin_ms(Some(120)), 30_000);
        assert_eq!(margin_ms(Some(20)), 5_000);
        assert_eq!(margin_ms(Some(0)), 5_000);
    }

    #[test]
    fn a_one_hour_session_is_refreshed_90_s_before_expiry() {
        let mut clock = Clock(1_767_225_600_000);
        let expires_at = 1_767_225_600 + 3600;
        assert_eq!(delay_ms(expires_at, Some(3600), clock.0, 0.0), 3_510_000);
        assert!(!due(expires_at, Some(3600), clock.0));
        clock.advance(3_509_999);
        assert!(!due(expires_at, Some(3600), clock.0));
        clock.advance(1);
        assert!(due(expires_at, Some(3600), clock.0));
        assert_eq!(delay_ms(expires_at, Some(3600), clock.0, 0.0), 0);
        clock.advance(200_000);
        assert_eq!(
            delay_ms(expires_at, Some(3600), clock.0, 0.0),
            0,
            "past expiry: now"
        );
    }

    #[test]
    fn jitter_stays_within_a_fifth_of_the_margin() {
        let expires_at = 2_000_000;
        let now = (expires_at - 3600) * 1000;
        let base = delay_ms(expires_at, Some(3600), now, 0.0);
        assert_eq!(delay_ms(expires_at, Some(3600), now, 1.0), base + 18_000);
        assert_eq!(delay_ms(expires_at, Some(3600), now, 7.0), base + 18_000);
        assert_eq!(delay_ms(expires_at, Some(3600), now, -1.0), base);
        assert!(base + 18_000 < 3_600_000, "still before expiry");
    }

    #[test]
    fn backoff_doubles_from_half_a_second_and_is_bounded() {
        let delays: Vec<u64> = (1..=9).map(retry_delay_ms).collect();
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        assert_eq!(retry_delay_ms(u32::MAX), MAX_RETRY_MS);
        assert_eq!(retry_delay_ms(0), FIRST_RETRY_MS);
    }

    #[test]
    fn a_ten_second_outage_is_ridden_out_within_a_few_retries() {
        // Network down from t=0 to t=10 s; retries at the policy's delays until one succeeds.
        let mut clock = Clock(0);
        let mut attempt = 0;
        while clock.0 < 10_000 {
            attempt += 1;
            clock.advance(retry_delay_ms(attempt));
        }
        assert!(attempt <= 5, "{attempt} retries");
        assert!(
            clock.0 < 10_000 + MAX_RETRY_MS,
            "recovered within one max wait"
        );
    }

    #[test]
    fn failures_are_classified_by_status() {
        assert_eq!(classify_failure(0), Failure::Retry);
        assert_eq!(classify_failure(500), Failure::Retry);
        assert_eq!(classify_failure(503), Failure::Retry);
        assert_eq!(classify_failure(408), Failure::Retry);
        assert_eq!(classify_failure(429), Failure::Cooldown(60_000));
        assert_eq!(classify_failure(400), Failure::SignOut);
        assert_eq!(classify_failure(401), Failure::SignOut);
        assert_eq!(classify_failure(403), Failure::SignOut);
    }
}
