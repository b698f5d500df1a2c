import Testing

@testable import VideoGenXMedia

@Suite("Frames handed to ffmpeg's pipe by reference")
struct HandedOverFramesTests {
    @Test("A frame is kept until a pipe-full of later bytes has followed it, and let go then")
    func keptUntilPushedOut() {
        var held = HandedOverFrames()
        let frame = [UInt8](repeating: 1, count: 400)
        held.append(frame, capacity: 1000)
        held.append(frame, capacity: 1000)
        held.append(frame, capacity: 1000)
        // 800 bytes after the first: the pipe may still hold part of it.
        #expect(held.count == 3)
        held.append(frame, capacity: 1000)
        // 1,200 after the first (gone), 800 after the second (kept).
        #expect(held.count == 3)
        // Exactly a pipe-full after the frames before it: all of them have been read.
        held.append([UInt8](repeating: 2, count: 1000), capacity: 1000)
        #expect(held.count == 1)
    }
}

extension HandedOverFramesTests {
    @Test("Frames the pipe made itself come back as spares once read, at most two; a caller's frames never do")
    func sparesOnlyOfOwnFrames() {
        var held = HandedOverFrames()
        held.append([UInt8](repeating: 1, count: 600), capacity: 1000)
        held.append([UInt8](repeating: 2, count: 600), capacity: 1000, reusable: true)
        held.append([UInt8](repeating: 3, count: 600), capacity: 1000, reusable: true)
        // The caller's frame (1) has been read: not a spare.
        #expect(held.takeSpare() == nil)
        held.append([UInt8](repeating: 4, count: 600), capacity: 1000, reusable: true)
        held.append([UInt8](repeating: 5, count: 600), capacity: 1000, reusable: true)
        held.append([UInt8](repeating: 6, count: 600), capacity: 1000, reusable: true)
        // 2, 3 and 4 have been read; two are kept, the newest first.
        #expect(held.takeSpare()?.first == 3)
        #expect(held.takeSpare()?.first == 2)
        #expect(held.takeSpare() == nil)
        #expect(held.count == 2)
    }
}
