import Foundation

/// CPU time (user + system) of this process and of its children that have been waited for:
/// around a piece of work, what it cost on every thread (an encode: ffmpeg included).
enum ProcessCPU {
    private static func seconds(_ usage: rusage) -> Double {
        Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Seconds of CPU so far, this process's and its waited-for children's.
    static func now() -> Double {
        var children = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &children)
        return own() + seconds(children)
    }

    /// Seconds of CPU so far of this process alone (every thread, no children).
    static func own() -> Double {
        var own = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        return seconds(own)
    }
}
