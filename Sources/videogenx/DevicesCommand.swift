import ArgumentParser
import Foundation
import VideoGenXPlatform

/// `videogenx devices`: the worker's devices as `GET /api/v1/admin/devices` reports them (admin key).
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "Show the worker's devices: state, utilisation, memory, running tasks (admin key)."
    )

    @Flag(help: "Print the JSON instead of a table.")
    var json = false

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let reply = try await server.client().send("GET", "/api/v1/admin/devices")
        guard reply.status == 200, let data = reply.data else { throw ClientExit.fail(reply) }
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: data, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            return
        }
        print("DEVICE       KIND       STATE    UTIL   MEMORY               TEMP  RUNNING")
        for device in data["devices"] as? [[String: Any]] ?? [] {
            let utilisation = (device["utilisation"] as? Double).map { String(format: "%4.0f%%", $0 * 100) } ?? "   -"
            let used = (device["memory_used_bytes"] as? Double).map { String(format: "%.1f", $0 / 1_073_741_824) } ?? "-"
            let total = (device["memory_total_bytes"] as? Double).map { String(format: "%.1f", $0 / 1_073_741_824) } ?? "-"
            let temperature = (device["temperature_celsius"] as? Int).map { "\($0)°C" } ?? "-"
            print(
                String(describing: device["name"] ?? "?").padding(toLength: 13, withPad: " ", startingAt: 0)
                    + String(describing: device["kind"] ?? "?").padding(toLength: 11, withPad: " ", startingAt: 0)
                    + String(describing: device["state"] ?? "?").padding(toLength: 9, withPad: " ", startingAt: 0)
                    + utilisation.padding(toLength: 7, withPad: " ", startingAt: 0)
                    + "\(used) / \(total) GiB".padding(toLength: 21, withPad: " ", startingAt: 0)
                    + temperature.padding(toLength: 6, withPad: " ", startingAt: 0)
                    + "\(device["running_tasks"] ?? 0)"
            )
        }
        print("queued tasks: \(data["queued_tasks"] ?? 0)")
    }
}
