/// A reference image reduced to a coarse grid of average colours (row-major, channels 0–1):
/// what image-to-video conditioning of the procedural model reads.
public struct ReferenceGrid: Sendable, Hashable {
    /// Cells per row.
    public var columns: Int
    /// Rows.
    public var rows: Int
    /// Cell colours, row-major from the top-left.
    public var cells: [SIMD3<Float>]

    /// Creates a grid; `cells.count` must be `columns × rows` (otherwise the grid is ignored).
    public init(columns: Int, rows: Int, cells: [SIMD3<Float>]) {
        self.columns = columns
        self.rows = rows
        self.cells = cells.count == columns * rows ? cells : []
    }

    /// The mean colour of row `row`.
    func rowMean(_ row: Int) -> SIMD3<Float> {
        let slice = cells[(row * columns)..<((row + 1) * columns)]
        return slice.reduce(SIMD3<Float>(), +) / Float(columns)
    }

    /// The boundary between rows where the mean colour changes most, as a fraction of the
    /// height from the top (clamped to 0.3…0.8): where the scene puts its horizon.
    var strongestRowEdge: Float? {
        guard rows >= 2, !cells.isEmpty else { return nil }
        let (index, _) = (1..<rows).map { row -> (Int, Float) in
            let d = rowMean(row) - rowMean(row - 1)
            return (row, (d * d).sum())
        }.max { $0.1 < $1.1 } ?? (rows / 2, 0)
        return min(0.8, max(0.3, Float(index) / Float(rows)))
    }

    /// Cell colours ordered from most to least saturated (max − min channel).
    var vividCells: [SIMD3<Float>] {
        cells.sorted { ($0.max() - $0.min()) > ($1.max() - $1.min()) }
    }
}

extension StylePalette {
    /// Takes sky, ground and accent colours from a reference image's grid: the top row is the
    /// sky, the row above the middle the horizon, the bottom row the ground, and the four most
    /// saturated cells the accents. The style's texture, vividness and tint stay.
    mutating func adopt(_ grid: ReferenceGrid) {
        guard !grid.cells.isEmpty else { return }
        skyTop = grid.rowMean(0)
        skyHorizon = grid.rowMean(max(0, grid.rows / 2 - 1))
        ground = grid.rowMean(grid.rows - 1)
        accents = Array(grid.vividCells.prefix(4))
    }
}
