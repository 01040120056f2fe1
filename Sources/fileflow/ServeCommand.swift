import ArgumentParser

/// `fileflow serve <service>`: runs one service of the mesh as its own process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run one FileFlow service.", subcommands: [
            ServeMetadataCommand.self,
            ServeFileProcessCommand.self,
            ServeSearchCommand.self,
            ServeDeletionCommand.self,
            ServeNotificationCommand.self,
        ])
}
