import ArgumentParser

/// The one FileFlow executable; each process of the mesh is one of its subcommands.
@main
struct FileFlowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fileflow",
        abstract: "FileFlow: share and process large files.",
        subcommands: [
            DevBrokerCommand.self, MigrateCommand.self, ServeCommand.self, InteropServerCommand.self, InteropClientCommand.self,
            RPCEchoServerCommand.self, RPCEchoClientCommand.self,
            GatewayCommand.self, ReplayDeadLettersCommand.self,
        ]
    )

    static func main() async {
        #if canImport(Glibc)
        MallocTuning.restartTunedIfNeeded()
        #endif
        await main(nil)
    }
}
