#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The CPU time this process has used (user and system), in seconds: the load generator's own
/// cost, which on a small machine it takes from the server it measures.
enum ProcessCPU {
    static func now() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
