import Foundation
import Testing
import VideoGenXCore

@Suite("Task lifecycle, retry policy, lanes and IDs")
struct TaskLifecycleTests {
    /// Every allowed transition of DESIGN §3; everything else is refused.
    static let allowed: Set<[TaskStatus]> = [
        [.initialized, .queued], [.initialized, .cancelled],
        [.queued, .processing], [.queued, .cancelled], [.queued, .failed],
        [.processing, .succeeded], [.processing, .failed], [.processing, .cancelled], [.processing, .queued],
    ]

    @Test("The state machine allows exactly the designed transitions", arguments: TaskStatus.allCases)
    func transitions(from: TaskStatus) {
        for to in TaskStatus.allCases {
            #expect(from.canTransition(to: to) == Self.allowed.contains([from, to]), "\(from) → \(to)")
        }
    }

    @Test("Terminal states are succeeded, failed and cancelled; queued is 'pending' on the API")
    func terminal() {
        #expect(TaskStatus.allCases.filter(\.isTerminal) == [.succeeded, .failed, .cancelled])
        #expect(TaskStatus.queued.apiName == "pending")
        #expect(TaskStatus.processing.apiName == "processing")
    }

    @Test("Retry policy: 1 s and 2 s with ±20 % jitter, then the fallback, then failure")
    func retryPolicy() {
        let policy = RetryPolicy()
        #expect(policy.maxAttempts == 4)
        #expect(policy.decide(failures: 1, unit: 0.5) == .retry(afterSeconds: 1))
        #expect(policy.decide(failures: 1, unit: 0) == .retry(afterSeconds: 0.8))
        #expect(policy.decide(failures: 2, unit: 1) == .retry(afterSeconds: 2.4))
        #expect(policy.decide(failures: 3, unit: 0.5) == .retryOnFallback)
        #expect(policy.decide(failures: 4, unit: 0.5) == .fail)
        #expect(RetryPolicy(fallback: false).decide(failures: 3, unit: 0.5) == .fail)
    }

    @Test("Smooth weighted round-robin serves backlogged lanes 4:3:2:1, P0 first, and skips empty lanes")
    func laneScheduler() {
        var scheduler = LaneScheduler()
        var counts = [0, 0, 0, 0]
        var firstOfRound: [Int] = []
        for i in 0..<1000 {
            guard let lane = scheduler.next(hasWork: { _ in true }) else { break }
            if i % 10 == 0 { firstOfRound.append(lane) }
            counts[lane] += 1
        }
        #expect(counts == [400, 300, 200, 100])
        #expect(firstOfRound.allSatisfy { $0 == 0 })
        var onlyLow = LaneScheduler()
        #expect(onlyLow.next(hasWork: { $0 == 3 }) == 3)
        #expect(onlyLow.next(hasWork: { _ in false }) == nil)
    }

    @Test("Aging raises a lane per interval waited, never above P0")
    func aging() {
        #expect(LaneScheduler.effectiveLane(priority: .p3, waitedSeconds: 599, agingSeconds: 600) == 3)
        #expect(LaneScheduler.effectiveLane(priority: .p3, waitedSeconds: 600, agingSeconds: 600) == 2)
        #expect(LaneScheduler.effectiveLane(priority: .p3, waitedSeconds: 10_000, agingSeconds: 600) == 0)
        #expect(LaneScheduler.effectiveLane(priority: .p1, waitedSeconds: 10_000, agingSeconds: 0) == 1)
    }

    @Test("Task IDs: vid + UTC milliseconds + 80 random bits, URL-safe, sortable, parseable")
    func taskIDs() {
        let date = Date(timeIntervalSince1970: 1_795_651_200.123) // 2026-11-26 00:00:00.123 UTC
        let id = TaskID.make(at: date)
        #expect(id.rawValue.count == 36)
        #expect(id.rawValue.hasPrefix("vid20261126000000123"))
        #expect(id.rawValue.allSatisfy { $0.isLetter || $0.isNumber })
        #expect(TaskID(rawValue: id.rawValue) == id)
        #expect(TaskID(rawValue: "vid../../etc/passwd") == nil)
        #expect(TaskID(rawValue: id.rawValue.lowercased()) == nil)
        let later = TaskID.make(at: date.addingTimeInterval(0.001))
        #expect(id < later)
        let many = Set((0..<10_000).map { _ in TaskID.make(at: date) })
        #expect(many.count == 10_000)
    }

    @Test("Task ID time stamps: the integer calendar agrees with Foundation's UTC calendar on leap days, ends of years and months, and 20,000 random instants from 1970 to 2200")
    func taskIDTimestampsMatchFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func expected(_ date: Date) -> String {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
            return String(
                format: "vid%04d%02d%02d%02d%02d%02d%03d",
                parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!, millis
            )
        }
        let fixed: [Double] = [
            0, 0.999, 951_782_400.5, 951_868_799.999, 4_107_542_400, 1_709_164_800, 1_735_689_599.999, 1_735_689_600,
            1_795_651_200.123, 7_258_118_399.001,
        ]
        var generator = SystemRandomNumberGenerator()
        let random = (0..<20_000).map { _ in Double(Int.random(in: 0..<7_258_118_400_000, using: &generator)) / 1000 }
        for seconds in fixed + random {
            let date = Date(timeIntervalSince1970: seconds)
            let id = TaskID.make(at: date)
            #expect(String(id.rawValue.prefix(20)) == expected(date), "\(seconds)")
            // Parsed back to the millisecond (rounded down; a decimal millisecond may sit just below in binary).
            #expect(id.timestamp.map { $0.timeIntervalSince1970 <= seconds + 0.000_001 && $0.timeIntervalSince1970 > seconds - 0.002 } == true, "\(seconds)")
        }
    }

    @Test("A task ID's time stamp is nil when its digits are not a calendar time", arguments: [
        ("20250229120000000", false), ("20240229235959999", true), ("21000229000000000", false), ("20000229000000000", true),
        ("20261301000000000", false), ("20261100000000000", false), ("20260431000000000", false), ("20261130240000000", false),
        ("20261130236000000", false), ("20261130235960000", false), ("20261130235959999", true),
    ])
    func taskIDTimestampValidity(digits: String, valid: Bool) throws {
        let id = try #require(TaskID(rawValue: "vid\(digits)ABCDEFGHJKMNPQRS"))
        #expect((id.timestamp != nil) == valid, "\(digits)")
    }
}
