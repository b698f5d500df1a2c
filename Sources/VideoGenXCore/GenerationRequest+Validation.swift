extension GenerationRequest {
    /// Checks every field against `limits` and returns the runnable spec with defaults applied.
    ///
    /// - Parameters:
    ///   - limits: the ranges to enforce (``GenerationLimits/platform`` for the API).
    ///   - seed: source of a seed when the request has none; called at most once.
    /// - Throws: ``ValidationFailure`` listing every problem, each with its field path.
    public func validated(
        limits: GenerationLimits = .platform,
        seed makeSeed: () -> UInt64 = { UInt64.random(in: .min ... .max) }
    ) throws(ValidationFailure) -> GenerationSpec {
        var issues: [FieldIssue] = []
        let text = validateText(limits: limits, into: &issues)
        validateImage(limits: limits, into: &issues)
        let p = params
        let model = p.model ?? limits.defaultModel
        // What the request leaves out is what its model renders; what it names is checked below.
        let capabilities = limits.models[model]

        let resolution = Self.choice(
            p.resolution, default: capabilities?.defaultResolution ?? GenerationSpec.Defaults.resolution, field: "params.resolution", into: &issues
        )
        if let resolution, !limits.resolutions.contains(resolution) {
            let allowed = limits.resolutions.map(\.rawValue).joined(separator: ", ")
            issues.append(FieldIssue(field: "params.resolution", reason: "must be one of \(allowed) on this server, got \(resolution.rawValue)"))
        }
        let fps = p.fps ?? capabilities?.defaultFrameRate ?? GenerationSpec.Defaults.fps
        if !limits.frameRates.contains(fps) {
            let allowed = limits.frameRates.map(String.init).joined(separator: " or ")
            issues.append(FieldIssue(field: "params.fps", reason: "must be \(allowed), got \(fps)"))
        }
        let duration = p.duration ?? capabilities?.defaultDuration(fps: fps) ?? GenerationSpec.Defaults.durationSeconds
        Self.check(duration, in: limits.durationSeconds, field: "params.duration", unit: " s", into: &issues)
        let style = Self.choice(p.style, default: GenerationSpec.Defaults.style, field: "params.style", into: &issues)
        let saturation = p.saturation ?? GenerationSpec.Defaults.colourMultiplier
        Self.check(saturation, in: 0.0...2.0, field: "params.saturation", into: &issues)
        let contrast = p.contrast ?? GenerationSpec.Defaults.colourMultiplier
        Self.check(contrast, in: 0.0...2.0, field: "params.contrast", into: &issues)
        let cfgScale = p.cfgScale ?? GenerationSpec.Defaults.cfgScale
        Self.check(cfgScale, in: 1.0...20.0, field: "params.cfg_scale", into: &issues)
        let steps = p.steps ?? GenerationSpec.Defaults.steps
        Self.check(steps, in: limits.steps, field: "params.steps", unit: "", into: &issues)
        let sampler = Self.choice(p.sampler, default: GenerationSpec.Defaults.sampler, field: "params.sampler", into: &issues)
        let finishing = p.validatedFinishing(duration: Double(duration), limits: limits, into: &issues)
        if let capabilities {
            if let resolution, limits.resolutions.contains(resolution), limits.frameRates.contains(fps) {
                issues += capabilities.issues(resolution: resolution, fps: fps, frames: fps * duration)
            }
        } else {
            let known = limits.models.keys.sorted().joined(separator: ", ")
            issues.append(FieldIssue(field: "params.model", reason: "must be a registered model (\(known)), got '\(model)'"))
        }

        guard issues.isEmpty, let text, let resolution, let style, let sampler else {
            throw ValidationFailure(issues: issues)
        }
        return GenerationSpec(
            text: text, image: image, resolution: resolution, fps: fps, durationSeconds: duration,
            style: style, saturation: saturation, contrast: contrast, cfgScale: cfgScale,
            steps: steps, sampler: sampler, seed: p.seed ?? makeSeed(), brightness: finishing.brightness,
            denoise: finishing.denoise, subtitle: finishing.subtitle, watermark: finishing.watermark,
            music: finishing.music, output: finishing.output, model: model
        )
    }

    private func validateText(limits: GenerationLimits, into issues: inout [FieldIssue]) -> String? {
        guard let text else {
            issues.append(FieldIssue(field: "text", reason: "is required"))
            return nil
        }
        if text.allSatisfy(\.isWhitespace) {
            issues.append(FieldIssue(field: "text", reason: "must not be empty or only whitespace"))
            return nil
        }
        if !limits.textLength.contains(text.count) {
            issues.append(FieldIssue(
                field: "text",
                reason: "must be \(limits.textLength.lowerBound)–\(limits.textLength.upperBound) characters, got \(text.count)"
            ))
            return nil
        }
        return text
    }

    private func validateImage(limits: GenerationLimits, into issues: inout [FieldIssue]) {
        if let image, let issue = Self.referenceIssue(image, field: "image", limits: limits) {
            issues.append(issue)
        }
    }

    /// Why `image` is not a usable image reference (see ``AssetReference``), or `nil`.
    static func referenceIssue(_ image: String, field: String, limits: GenerationLimits) -> FieldIssue? {
        if image.count > limits.maxImageReferenceLength {
            return FieldIssue(field: field, reason: "must be at most \(limits.maxImageReferenceLength) characters, got \(image.count)")
        }
        switch AssetReference(image) {
        case nil:
            return FieldIssue(field: field, reason: "must be an http(s) URL, a data:image/...;base64, URI or the key of one of your results (videos/{task_id}/{file})")
        case .dataURI(let uri)? where !AssetReference.hasValidBase64Payload(uri):
            return FieldIssue(field: field, reason: "is a data URI whose payload is not valid base64")
        default:
            return nil
        }
    }

    static func choice<Value: RawRepresentable & CaseIterable>(
        _ raw: String?, default value: Value, field: String, into issues: inout [FieldIssue]
    ) -> Value? where Value.RawValue == String {
        guard let raw else { return value }
        if let parsed = Value(rawValue: raw) { return parsed }
        let allowed = Value.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        issues.append(FieldIssue(field: field, reason: "must be one of \(allowed), got '\(raw)'"))
        return nil
    }

    static func check(
        _ value: Int, in range: ClosedRange<Int>, field: String, unit: String, into issues: inout [FieldIssue]
    ) {
        if !range.contains(value) {
            issues.append(FieldIssue(field: field, reason: "must be \(range.lowerBound)–\(range.upperBound)\(unit), got \(value)"))
        }
    }

    static func check(
        _ value: Double, in range: ClosedRange<Double>, field: String, into issues: inout [FieldIssue]
    ) {
        if !value.isFinite || !range.contains(value) {
            issues.append(FieldIssue(field: field, reason: "must be \(range.lowerBound)–\(range.upperBound), got \(value)"))
        }
    }
}
