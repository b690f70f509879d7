//! The `supabase-workos-emulator` binary: flags in, `READY {json}` out.
#![forbid(unsafe_code)]

use std::io::Write;
use std::sync::Arc;

use clap::Parser;
use supabase_workos_emulator::clock::Clock;
use supabase_workos_emulator::config::Settings;

fn main() {
    // `--help` and `--version` print and exit 0; a bad flag exits 2.
    let cfg = match Settings::parse().resolve() {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("supabase-workos-emulator: {e}");
            std::process::exit(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("supabase-workos-emulator: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(run(cfg));
    std::process::exit(code);
}

async fn run(cfg: supabase_workos_emulator::config::Config) -> i32 {
    let emulator = match supabase_workos_emulator::start(cfg, Arc::new(Clock::default())).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("supabase-workos-emulator: {e}");
            return 1;
        }
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{}", emulator.ready_line());
    let _ = out.flush();
    eprintln!(
        "[emulator] Supabase Auth at {}/auth/v1, WorkOS at {}/sso, site URL {}",
        emulator.auth_url(),
        emulator.auth_url(),
        emulator.app.cfg.site_url
    );
    shutdown_signal().await;
    eprintln!("[emulator] shutting down");
    drop(emulator);
    0
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
