import ArgumentParser

/// `videogenx generate`: placeholder replaced below.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate")
    func run() async throws {}
}
