import Synchronization
import Testing
import VideoGenXCore
import VideoGenXInference

/// The properties the reference model promises (issue: foundation, item 4).
@Suite("Procedural reference model properties")
struct ProceduralModelPropertyTests {
    /// Mean absolute pixel difference (0–255) above which two videos count as visibly different.
    static let visiblyDifferent = 8.0

    @Test("The same request and seed give byte-identical frames")
    func reproducible() async throws {
        let a = try await TestJobs.frames(of: TestJobs.small(sampler: .eulerAncestral))
        let b = try await TestJobs.frames(of: TestJobs.small(sampler: .eulerAncestral))
        #expect(a.count == 24)
        #expect(a == b)
    }

    @Test("A different seed gives visibly different frames")
    func seedChangesOutput() async throws {
        let a = try await TestJobs.frames(of: TestJobs.small(seed: 7))
        let b = try await TestJobs.frames(of: TestJobs.small(seed: 8))
        let difference = TestJobs.meanAbsoluteDifference(a, b)
        #expect(difference > Self.visiblyDifferent, "mean absolute difference \(difference)")
    }

    @Test("A different prompt gives visibly different frames")
    func promptChangesOutput() async throws {
        let a = try await TestJobs.frames(of: TestJobs.small(prompt: "a red fox running through snow"))
        let b = try await TestJobs.frames(of: TestJobs.small(prompt: "a blue robot dancing in a neon city at night"))
        let difference = TestJobs.meanAbsoluteDifference(a, b)
        #expect(difference > Self.visiblyDifferent, "mean absolute difference \(difference)")
    }

    @Test("More steps bring the output closer to the clean target (5 > 20 > 50)", arguments: SamplerChoice.allCases)
    func moreStepsConverge(sampler: SamplerChoice) throws {
        let model = ProceduralModel()
        let frames = 0..<2
        let errors = try [5, 20, 50].map { steps in
            let job = TestJobs.small(steps: steps, sampler: sampler)
            let target = model.guidedTarget(for: job, latentFrames: frames)
            return try model.sampleLatents(for: job, latentFrames: frames).rmsDifference(to: target)
        }
        #expect(errors[0] > errors[1] && errors[1] > errors[2], "RMS errors for 5, 20, 50 steps: \(errors)")
    }

    @Test("Guidance scale changes the output")
    func guidanceChangesOutput() async throws {
        let a = try await TestJobs.frames(of: TestJobs.small(cfgScale: 1))
        let b = try await TestJobs.frames(of: TestJobs.small(cfgScale: 12))
        let difference = TestJobs.meanAbsoluteDifference(a, b)
        #expect(difference > 2, "mean absolute difference \(difference)")
    }

    @Test("Each sampler gives a different output for the same job")
    func samplerChangesOutput() async throws {
        let euler = try await TestJobs.frames(of: TestJobs.small(steps: 8, sampler: .euler))
        let ancestral = try await TestJobs.frames(of: TestJobs.small(steps: 8, sampler: .eulerAncestral))
        let ddim = try await TestJobs.frames(of: TestJobs.small(steps: 8, sampler: .ddim))
        #expect(TestJobs.meanAbsoluteDifference(euler, ancestral) > 0.5)
        #expect(TestJobs.meanAbsoluteDifference(euler, ddim) > 0.5)
        #expect(TestJobs.meanAbsoluteDifference(ancestral, ddim) > 0.5)
        let auto = try await TestJobs.frames(of: TestJobs.small(steps: 8, sampler: .auto))
        #expect(auto == euler, "auto resolves to the model's preferred sampler, euler")
    }

    @Test("Cancellation stops sampling within one step", .timeLimit(.minutes(1)))
    func cancellationWithinOneStep() async throws {
        let model = ProceduralModel()
        try await model.load(on: .cpu)
        let stepsRun = Mutex(0)
        let job = TestJobs.small(steps: 40)
        await #expect(throws: CancellationError.self) {
            try await model.generate([job], progress: { report in
                let count = stepsRun.withLock { $0 += 1; return $0 }
                if count == 3 {
                    withUnsafeCurrentTask { $0?.cancel() }
                }
            }, frames: { _ in })
        }
        #expect(stepsRun.withLock { $0 } == 3, "no step may finish after the one during which the task was cancelled")
    }

    @Test("Window size does not change a single byte: streaming is exact")
    func windowingIsExact() async throws {
        let job = TestJobs.small(sampler: .eulerAncestral, frames: 37)
        let one = try await TestJobs.frames(of: job, configuration: .init(windowLatentFrames: 1, chunkFrames: 1))
        let many = try await TestJobs.frames(of: job, configuration: .init(windowLatentFrames: 16, chunkFrames: 7))
        #expect(one.count == 37)
        #expect(one == many)
    }

    @Test("A batch's videos are exactly the videos each job makes alone, also with different lengths and settings")
    func batchEqualsAlone() async throws {
        let jobs = [
            TestJobs.small(steps: 6, seed: 1), TestJobs.small(steps: 6, seed: 2, frames: 13),
            TestJobs.small(style: .cartoon, steps: 6, sampler: .eulerAncestral, seed: 3, frames: 40),
        ]
        let model = ProceduralModel(configuration: .init(windowLatentFrames: 2, chunkFrames: 5))
        try await model.load(on: .cpu)
        var batched = [[RGBFrame]](repeating: [], count: jobs.count)
        try await model.generate(jobs, progress: { _ in }, frames: { batched[$0.jobIndex].append(contentsOf: $0.frames) })
        for (index, job) in jobs.enumerated() {
            let alone = try await TestJobs.frames(of: job, configuration: .init(windowLatentFrames: 2, chunkFrames: 5))
            #expect(batched[index] == alone, "job \(index)")
        }
    }

    @Test("Pad-crop: a window sampled on a larger canvas and cropped back is bit-identical to sampling it alone, for every sampler", arguments: [SamplerChoice.euler, .eulerAncestral, .ddim])
    func padCrop(sampler: SamplerChoice) throws {
        let model = ProceduralModel()
        let job = TestJobs.small(steps: 6, sampler: sampler, seed: 11)
        let window = model.windows(for: job)[0]
        let alone = try model.sampleLatents(for: job, latentFrames: window)
        let padded = try model.sampleLatents(for: job, latentFrames: window, paddedTo: (height: 14, width: 24))
        #expect(padded == alone)
    }

    @Test("A batch mixing two sizes of one bucket pads to the larger and crops back: each video equals the job alone")
    func mixedSizeBatch() async throws {
        let small = TestJobs.small(steps: 5, seed: 4)
        let large = GenerationJob(prompt: "a lighthouse at dusk", width: 192, height: 108, fps: 24, frameCount: 16, steps: 5, seed: 5)
        let model = ProceduralModel()
        try await model.load(on: .cpu)
        var batched = [[RGBFrame]](repeating: [], count: 2)
        try await model.generate([small, large], progress: { _ in }, frames: { batched[$0.jobIndex].append(contentsOf: $0.frames) })
        #expect(batched[0] == (try await TestJobs.frames(of: small)))
        #expect(batched[1] == (try await TestJobs.frames(of: large)))
        #expect(batched[0].first?.width == 128 && batched[1].first?.width == 192)
    }

    @Test("Frames stream in ordered chunks no larger than configured")
    func framesStreamInChunks() async throws {
        let model = ProceduralModel(configuration: .init(windowLatentFrames: 2, chunkFrames: 3))
        try await model.load(on: .cpu)
        var chunks: [FrameChunk] = []
        try await model.generate([TestJobs.small(steps: 2), TestJobs.small(steps: 2, seed: 9)], progress: { _ in }, frames: { chunks.append($0) })
        #expect(chunks.allSatisfy { !$0.frames.isEmpty && $0.frames.count <= 3 })
        for job in 0..<2 {
            let mine = chunks.filter { $0.jobIndex == job }
            // Contiguous and complete: each chunk starts where the previous one ended.
            #expect(mine.first?.firstFrame == 0)
            #expect(zip(mine, mine.dropFirst()).allSatisfy { $0.firstFrame + $0.frames.count == $1.firstFrame })
            #expect(mine.map(\.frames.count).reduce(0, +) == 24)
            #expect(mine.allSatisfy { $0.frames.allSatisfy { $0.width == 128 && $0.height == 72 } })
        }
    }

    @Test("The model loads for a GPU's cache too (it computes on the host CPU), and refuses generating before loading")
    func deviceAndLoadErrors() async throws {
        let model = ProceduralModel()
        await #expect(throws: ModelError.self) {
            try await model.generate([TestJobs.small()], progress: { _ in }, frames: { _ in })
        }
        try await model.load(on: .gpu(index: 0))
        var frames = 0
        try await model.generate([TestJobs.small()], progress: { _ in }) { frames += $0.frames.count }
        #expect(frames > 0)
        await model.release()
        await #expect(throws: ModelError.self) {
            try await model.generate([TestJobs.small()], progress: { _ in }, frames: { _ in })
        }
    }
}

@Suite("Procedural model windows")
struct ProceduralModelWindowTests {
    @Test("Automatic windows keep a latent window near 2 MiB and cover every latent frame once", arguments: [
        (Resolution.hd720, 8), (.fullHD1080, 4), (.uhd4K, 1),
    ])
    func automaticWindows(resolution: Resolution, expectedSize: Int) {
        let job = GenerationJob(
            prompt: "x", width: resolution.width, height: resolution.height, fps: 30, frameCount: 30 * 30, steps: 1, seed: 1
        )
        let windows = ProceduralModel().windows(for: job)
        #expect(windows.first?.count == expectedSize)
        #expect(windows.first?.lowerBound == 0)
        #expect(windows.last?.upperBound == job.latentGeometry.frameCount)
        #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
    }
}
