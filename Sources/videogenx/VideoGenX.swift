import ArgumentParser

/// `videogenx`: the VideoGenX command-line tool.
@main
struct VideoGenX: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "videogenx",
        abstract: "VideoGenX: text-to-video as a service, in one binary.",
        subcommands: [GenerateCommand.self]
    )
}
