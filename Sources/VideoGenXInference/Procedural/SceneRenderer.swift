/// Renders a ``SceneDescription`` straight into latent space: the clean latent `x₀` that the
/// procedural denoiser steers toward. Channels 0–2 hold colour (−1…1), channel 3 detail amplitude.
struct SceneRenderer: Sendable {
    /// The scene.
    let scene: SceneDescription
    /// Video frame rate, to place latent frames in time.
    let fps: Int

    /// Time in seconds at the centre of latent frame `index` (it covers video frames 4l…4l+3).
    func time(ofLatentFrame index: Int) -> Float {
        (Float(index * LatentGeometry.temporalFactor) + 1.5) / Float(max(fps, 1))
    }

    /// Renders every frame of `block` (its position in the video is `block.firstFrame`).
    func render(into block: inout LatentBlock) {
        for f in 0..<block.frameCount {
            renderFrame(f, of: &block)
        }
    }

    private func renderFrame(_ f: Int, of block: inout LatentBlock) {
        let w = block.width
        let h = block.height
        let plane = block.planeSize
        let base = f * block.valuesPerFrame
        let t = time(ofLatentFrame: block.firstFrame + f)
        let aspect = Float(w) / Float(h)
        let centres = scene.shapes.map { $0.motion.position(at: t) }
        block.values.withUnsafeMutableBufferPointer { v in
            for y in 0..<h {
                let fy = (Float(y) + 0.5) / Float(h)
                var background: SIMD3<Float>
                if fy < scene.horizon {
                    let k = fy / scene.horizon
                    background = scene.skyTop + (scene.skyHorizon - scene.skyTop) * (k * k)
                } else {
                    let k = (fy - scene.horizon) / max(1 - scene.horizon, 0.01)
                    background = scene.ground * (1 - 0.25 * k)
                }
                for x in 0..<w {
                    let fx = (Float(x) + 0.5) / Float(w)
                    var colour = background
                    var detail = scene.backgroundDetail
                    for (i, shape) in scene.shapes.enumerated() {
                        let dx = (fx - centres[i].x) * aspect
                        let dy = fy - centres[i].y
                        let distance = signedDistance(shape.kind, dx: dx, dy: dy, radius: shape.radius, heading: shape.motion.velocity.x)
                        // Anti-aliased edge about one latent pixel wide.
                        let coverage = min(max(0.5 - distance * Float(h), 0), 1)
                        if coverage > 0 {
                            colour += (shape.colour - colour) * coverage
                            detail += (shape.detail - detail) * coverage
                        }
                    }
                    let i = base + y * w + x
                    v[i] = colour.x
                    v[i + plane] = colour.y
                    v[i + 2 * plane] = colour.z
                    v[i + 3 * plane] = detail
                }
            }
        }
        splatParticles(frame: f, time: t, into: &block)
    }

    private func splatParticles(frame f: Int, time t: Float, into block: inout LatentBlock) {
        guard let particles = scene.particles else { return }
        let w = block.width
        let h = block.height
        let plane = block.planeSize
        let base = f * block.valuesPerFrame
        let look = particles.appearance
        block.values.withUnsafeMutableBufferPointer { v in
            for index in particles.positions.indices {
                let state = particles.state(of: index, at: t)
                let px = Int(state.position.x * Float(w))
                let py = Int(state.position.y * Float(h))
                guard px >= 0, px < w, py >= 0, py < h else { continue }
                let strength = look.strength * state.brightness
                let i = base + py * w + px
                v[i] += (look.colour.x - v[i]) * strength
                v[i + plane] += (look.colour.y - v[i + plane]) * strength
                v[i + 2 * plane] += (look.colour.z - v[i + 2 * plane]) * strength
                v[i + 3 * plane] = look.detail
            }
        }
    }

    /// Signed distance (in frame heights) from a point to a shape centred at the origin; negative inside.
    private func signedDistance(_ kind: ShapeKind, dx: Float, dy: Float, radius r: Float, heading: Float) -> Float {
        switch kind {
        case .disc:
            return (dx * dx + dy * dy).squareRoot() - r
        case .box:
            return max(abs(dx) - r * 1.2, abs(dy) - r * 0.8)
        case .triangle:
            // Triangle pointing up: apex at dy = −r, base at dy = 0.6·r (y grows downward).
            return max(abs(dx) * 0.87 - dy * 0.5 - r * 0.5, dy - r * 0.6)
        case .creature:
            // An elliptical body with a head ahead of it in the direction of travel.
            let body = ((dx / 1.5) * (dx / 1.5) + dy * dy).squareRoot() - r * 0.7
            let side: Float = heading < 0 ? -1 : 1
            let hx = dx - side * r * 1.15
            let hy = dy + r * 0.45
            let head = (hx * hx + hy * hy).squareRoot() - r * 0.42
            return min(body, head)
        }
    }
}
