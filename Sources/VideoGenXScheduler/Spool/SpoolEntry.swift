import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VideoGenXStore

/// One finished render in the upload spool: a folder `<spool>/<task id>/` holding the files, a
/// `lock` file and `record.json`. The record is written last (temporary file, fsync, rename), so
/// a folder without one is an interrupted hand-over and is removed. The process that holds the
/// folder's `lock` (an advisory `flock`, released by the kernel if the process dies) owns it.
struct SpoolEntry: Sendable {
    /// What the spool must do for the task: store `files`, then complete the task with `result`.
    struct Record: Codable, Sendable {
        var taskID: String
        /// The fencing token of the attempt that rendered the files.
        var token: Int64
        var result: TaskResult
        var files: [File]

        /// A file to store: its object key, its name in the entry's folder and its content type.
        struct File: Codable, Sendable {
            var key: String
            var name: String
            var contentType: String
        }
    }

    let record: Record
    let folder: URL
    /// The open `lock` file (its `flock` held while the entry lives).
    let lockDescriptor: Int32
    /// Total bytes of the files.
    let bytes: Int

    /// A problem with a spool folder (a failed move, write or lock).
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Locks `folder` (made if missing) for this process; `nil` when another process holds it.
    static func lock(_ folder: URL) throws -> Int32? {
        let descriptor = open(folder.appendingPathComponent("lock").path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(folder.path)/lock: errno \(errno)") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Moves `files` (local path, key, content type) into a new entry folder for `record` and
    /// writes the record durably.
    static func create(in spool: URL, record: Record, moving files: [(source: URL, file: Record.File)]) throws -> SpoolEntry {
        let folder = spool.appendingPathComponent(record.taskID)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard let descriptor = try lock(folder) else { throw Failure(description: "\(folder.path) is locked by another process") }
        do {
            var bytes = 0
            for (source, file) in files {
                let target = folder.appendingPathComponent(file.name)
                try FileManager.default.moveItem(at: source, to: target)
                try sync(target)
                bytes += (try FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
            }
            let temporary = folder.appendingPathComponent("record.json.tmp")
            try JSONEncoder().encode(record).write(to: temporary)
            try sync(temporary)
            guard rename(temporary.path, folder.appendingPathComponent("record.json").path) == 0 else {
                throw Failure(description: "cannot rename the spool record in \(folder.path): errno \(errno)")
            }
            try sync(folder)
            return SpoolEntry(record: record, folder: folder, lockDescriptor: descriptor, bytes: bytes)
        } catch {
            close(descriptor)
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// The entry in `folder` if this process can lock it and it has a record; an unlocked folder
    /// without a record is removed. `nil` when another process owns it or it was removed.
    static func load(_ folder: URL) throws -> SpoolEntry? {
        guard let descriptor = try lock(folder) else { return nil }
        let recordFile = folder.appendingPathComponent("record.json")
        guard let data = try? Data(contentsOf: recordFile) else {
            close(descriptor)
            try? FileManager.default.removeItem(at: folder)
            return nil
        }
        do {
            let record = try JSONDecoder().decode(Record.self, from: data)
            let bytes = try record.files.reduce(0) { sum, file in
                sum + ((try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(file.name).path)[.size] as? Int) ?? 0)
            }
            return SpoolEntry(record: record, folder: folder, lockDescriptor: descriptor, bytes: bytes)
        } catch {
            close(descriptor)
            throw Failure(description: "unreadable spool entry \(folder.path): \(error)")
        }
    }

    /// The local copy of `file`.
    func url(of file: Record.File) -> URL { folder.appendingPathComponent(file.name) }

    /// Removes the folder and releases its lock (the entry is done or dropped).
    func remove() {
        try? FileManager.default.removeItem(at: folder)
        close(lockDescriptor)
    }

    /// Releases the lock and keeps the folder (the process stops; a later one resumes it).
    func release() {
        close(lockDescriptor)
    }

    /// `fsync` of a file or folder: the hand-over survives a power cut, not only a crash.
    private static func sync(_ url: URL) throws {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(url.path) to sync it: errno \(errno)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Failure(description: "fsync of \(url.path) failed: errno \(errno)") }
    }
}
