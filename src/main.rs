//! The `earful` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use earful::cli::{Cli, Command};
use earful::error::Exit;

/// mimalloc instead of glibc's malloc: a run allocates a few small values per call on the
/// workers, and some are freed on another thread, where glibc's arenas cost locks and consolidation.
/// Measured on 100 MB: 9% less CPU on one thread, 13-17% less on two (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, as numbered by the `mi_option_e` enum of the mimalloc 3
/// sources that libmimalloc-sys 0.1.49 builds (its Rust bindings do not name it); the test below
/// checks it against that option's default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Peak memory is a promise of the tool (200 MB for 1 GB of input), so freed memory goes back to
/// the system after 100 ms instead of 1 s; mimalloc is also built without transparent huge pages
/// (feature `no_thp`). 1 GB with discovery peaked at 197-207 MB with mimalloc's defaults, 169 MB
/// without huge pages, 148-152 MB with this delay too, in the same time. A delay of 1 ms peaked
/// no lower and spent twice the system time returning memory.
#[allow(unsafe_code)]
fn tune_allocator() {
    // SAFETY: setting an option has no precondition. The delay is read each time memory is
    // purged, so setting it first thing applies it to the whole run.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 100) };
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    let exit = match cli.command {
        Command::Mine(args) => earful::app::mine_command(&args),
        Command::Sample(args) => match earful::app::sample(&args) {
            Ok(()) => Exit::Success,
            Err(e) => {
                eprintln!("earful: error: {e}");
                e.exit()
            }
        },
    };
    ExitCode::from(exit as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(unsafe_code)]
    fn the_allocator_option_number_is_the_purge_delay() {
        // Before tune_allocator it reads its default in mimalloc's options.c, 1000 (ms); the
        // options numbered around it default to 1 and 0.
        // SAFETY: reading an option has no precondition.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, 1000);
    }
}
