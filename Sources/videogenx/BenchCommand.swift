import ArgumentParser

/// `videogenx bench`: placeholder until the benchmarks land.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks.")
}
