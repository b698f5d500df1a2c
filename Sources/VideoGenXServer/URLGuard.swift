import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Refuses user-given URLs (reference images, later callbacks) that resolve to addresses a
/// server-side fetch must never reach: loopback, private, carrier-grade NAT, link-local (and so
/// the cloud metadata service at 169.254.169.254), unique-local, multicast and reserved ranges —
/// unless the host is on the allowlist (tests and trusted internal services).
///
/// A fetch connects to the address that was checked (``Verdict/allowed(pins:)``, an
/// AsyncHTTPClient `dnsOverride`), not to what a second lookup answers: a name that flips from a
/// public to a private address between the check and the connection (DNS rebinding) does not
/// get through.
public struct URLGuard: Sendable {
    /// Looks a host up: every address it resolves to (IP literals resolve to themselves).
    public typealias Resolver = @Sendable (String) async -> [[UInt8]]

    /// Hosts (names or IP literals, compared case-insensitively) that may be private. Default none.
    public var allowlist: Set<String>
    private let resolver: Resolver

    /// Creates a guard with an allowlist; `resolver` is getaddrinfo unless a test gives another.
    public init(allowlist: [String] = [], resolver: @escaping Resolver = { await URLGuard.resolve($0) }) {
        self.allowlist = Set(allowlist.map { $0.lowercased() })
        self.resolver = resolver
    }

    /// What the guard says of a URL.
    public enum Verdict: Sendable, Equatable {
        /// Not to be fetched, and why.
        case refused(String)
        /// May be fetched by connecting through `pins` (host → the checked address; empty for
        /// allowlisted hosts and IP literals, which need no lookup).
        case allowed(pins: [String: String])
    }

    /// Why `text` may not be fetched, or `nil` when it may.
    public func problem(with text: String) async -> String? {
        if case .refused(let reason) = await verdict(for: text) { return reason }
        return nil
    }

    /// Whether `text` may be fetched, and the address a fetch must connect to.
    public func verdict(for text: String) async -> Verdict {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty
        else {
            return .refused("must be an absolute http(s) URL")
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if allowlist.contains(bare.lowercased()) { return .allowed(pins: [:]) }
        let addresses = await resolver(bare)
        guard let first = addresses.first else { return .refused("host '\(bare)' does not resolve") }
        for address in addresses where Self.isForbidden(address) {
            return .refused("resolves to \(Self.format(address)), a loopback, private, link-local or metadata address; not allowed")
        }
        let literal = Self.format(first)
        return .allowed(pins: literal == bare ? [:] : [host: literal])
    }

    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
    typealias Address = [UInt8]

    /// Whether a fetch must not go to `address`.
    static func isForbidden(_ address: Address) -> Bool {
        if address.count == 4 {
            let (a, b) = (address[0], address[1])
            return a == 0 || a == 10 || a == 127 || (a == 100 && (64...127).contains(b)) || (a == 169 && b == 254)
                || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168) || (a == 192 && b == 0 && address[2] == 0)
                || (a == 198 && (18...19).contains(b)) || a >= 224
        }
        guard address.count == 16 else { return true }
        if address.allSatisfy({ $0 == 0 }) { return true } // ::
        if address.dropLast().allSatisfy({ $0 == 0 }) && address[15] == 1 { return true } // ::1
        if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return isForbidden(Array(address[12..<16])) // IPv4-mapped
        }
        return (address[0] & 0xFE) == 0xFC // fc00::/7 unique-local (incl. fd00:ec2::254)
            || (address[0] == 0xFE && (address[1] & 0xC0) == 0x80) // fe80::/10 link-local
            || address[0] == 0xFF // multicast
    }

    /// Every address `host` resolves to through getaddrinfo (IP literals resolve to themselves).
    public static func resolve(_ host: String) async -> [[UInt8]] {
        await withCheckedContinuation { continuation in
            // getaddrinfo blocks; keep it off the cooperative thread pool.
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else {
                    continuation.resume(returning: [])
                    return
                }
                defer { freeaddrinfo(first) }
                var addresses: [Address] = []
                var node: UnsafeMutablePointer<addrinfo>? = first
                while let current = node {
                    if let socketAddress = current.pointee.ai_addr {
                        if current.pointee.ai_family == AF_INET {
                            socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                                withUnsafeBytes(of: $0.pointee.sin_addr) { addresses.append(Array($0)) }
                            }
                        } else if current.pointee.ai_family == AF_INET6 {
                            socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                                withUnsafeBytes(of: $0.pointee.sin6_addr) { addresses.append(Array($0)) }
                            }
                        }
                    }
                    node = current.pointee.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }

    static func format(_ address: Address) -> String {
        address.count == 4 ? address.map(String.init).joined(separator: ".")
            : stride(from: 0, to: 16, by: 2).map { String(format: "%x", Int(address[$0]) << 8 | Int(address[$0 + 1])) }.joined(separator: ":")
    }
}
