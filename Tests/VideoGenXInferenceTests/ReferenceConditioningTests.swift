import Testing
import VideoGenXCore
import VideoGenXInference

/// Image-to-video with the procedural model: the reference grid sets the palette and horizon.
@Suite("Reference image conditioning")
struct ReferenceConditioningTests {
    /// A grid whose top half is deep blue and bottom half orange.
    static let blueOverOrange = ReferenceGrid(
        columns: 4, rows: 4,
        cells: Array(repeating: SIMD3<Float>(0.05, 0.1, 0.6), count: 8) + Array(repeating: SIMD3<Float>(0.9, 0.5, 0.1), count: 8)
    )

    /// Mean RGB of the top and bottom sixth of a frame.
    static func bands(_ frame: RGBFrame) -> (top: SIMD3<Double>, bottom: SIMD3<Double>) {
        func mean(_ rows: Range<Int>) -> SIMD3<Double> {
            var sum = SIMD3<Double>()
            for y in rows {
                for x in 0..<frame.width {
                    let i = (y * frame.width + x) * 3
                    sum += SIMD3(Double(frame.bytes[i]), Double(frame.bytes[i + 1]), Double(frame.bytes[i + 2]))
                }
            }
            return sum / Double(rows.count * frame.width)
        }
        return (mean(0..<(frame.height / 6)), mean((frame.height * 5 / 6)..<frame.height))
    }

    @Test("The reference's colours show: a blue-over-orange image makes a bluer sky and a more orange ground")
    func coloursFollowTheImage() async throws {
        var job = TestJobs.small(frames: 4)
        let plain = try await TestJobs.frames(of: job)
        job.reference = Self.blueOverOrange
        let conditioned = try await TestJobs.frames(of: job)
        #expect(TestJobs.meanAbsoluteDifference(plain, conditioned) > 10)
        let bands = Self.bands(conditioned[0])
        #expect(bands.top.z > bands.top.x + 40, "sky is blue: \(bands.top)")
        #expect(bands.bottom.x > bands.bottom.z + 40, "ground is orange: \(bands.bottom)")
    }

    @Test("Conditioning is deterministic: the same image and seed give identical frames")
    func deterministic() async throws {
        var job = TestJobs.small(frames: 3)
        job.reference = Self.blueOverOrange
        let a = try await TestJobs.frames(of: job)
        let b = try await TestJobs.frames(of: job)
        #expect(a == b)
    }
}
