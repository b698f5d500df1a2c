/// Where a paused sampling run stands: the latent after `nextStep` steps, and the seed whose
/// counter-based noise (``GaussianNoise``) gives every later step the same randomness it would
/// have had. Resuming from it continues the run bit for bit — the basis of step-level
/// preemption. Serialised to bytes for the object store (little-endian, versioned).
public struct SamplerCheckpoint: Sendable, Equatable {
    /// The first step still to run.
    public var nextStep: Int
    /// The job's seed (the noise streams of the remaining steps derive from it).
    public var seed: UInt64
    /// The latent after `nextStep` steps.
    public var latents: LatentBlock

    /// Creates a checkpoint.
    public init(nextStep: Int, seed: UInt64, latents: LatentBlock) {
        self.nextStep = nextStep
        self.seed = seed
        self.latents = latents
    }

    private static let magic: [UInt8] = Array("VGXK".utf8)
    private static let version: UInt8 = 1

    /// The checkpoint as bytes: magic `VGXK`, version, step, seed, block shape, then the values.
    public func serialized() -> [UInt8] {
        var bytes = Self.magic + [Self.version]
        bytes.reserveCapacity(64 + latents.values.count * 4)
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        put(UInt32(nextStep))
        put(seed)
        put(UInt32(latents.firstFrame))
        put(UInt32(latents.frameCount))
        put(UInt32(latents.height))
        put(UInt32(latents.width))
        for value in latents.values {
            put(value.bitPattern)
        }
        return bytes
    }

    /// Reads bytes written by ``serialized()``.
    /// - Throws: ``ModelError`` `invalid_checkpoint` for anything else (wrong magic or version,
    ///   truncated, a shape that does not match the values).
    public init(serialized bytes: [UInt8]) throws(ModelError) {
        var offset = 0
        func take<T: FixedWidthInteger>(_ type: T.Type) throws(ModelError) -> T {
            let size = MemoryLayout<T>.size
            guard offset + size <= bytes.count else {
                throw ModelError(code: "invalid_checkpoint", message: "the checkpoint is truncated at byte \(offset)")
            }
            var value = T.zero
            for index in 0..<size {
                value |= T(bytes[offset + index]) << (8 * index)
            }
            offset += size
            return value
        }
        guard bytes.count >= 5, Array(bytes[0..<4]) == Self.magic, bytes[4] == Self.version else {
            throw ModelError(code: "invalid_checkpoint", message: "not a version-\(Self.version) sampler checkpoint")
        }
        offset = 5
        let step = Int(try take(UInt32.self))
        let seed = try take(UInt64.self)
        let firstFrame = Int(try take(UInt32.self))
        let frameCount = Int(try take(UInt32.self))
        let height = Int(try take(UInt32.self))
        let width = Int(try take(UInt32.self))
        let count = frameCount * LatentBlock.channels * height * width
        guard bytes.count - offset == count * 4 else {
            throw ModelError(code: "invalid_checkpoint", message: "the checkpoint holds \(bytes.count - offset) value bytes, its shape needs \(count * 4)")
        }
        var block = LatentBlock(firstFrame: firstFrame, frameCount: frameCount, height: height, width: width)
        for index in 0..<count {
            block.values[index] = Float(bitPattern: try take(UInt32.self))
        }
        self.init(nextStep: step, seed: seed, latents: block)
    }
}

/// How a sampling run ended: all steps done, or paused with a checkpoint.
public enum SamplingOutcome: Sendable, Equatable {
    /// Every step ran; the latent is final.
    case finished(LatentBlock)
    /// Paused after some steps; resume from the checkpoint.
    case paused(SamplerCheckpoint)
}
