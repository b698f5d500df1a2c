import Foundation
import VideoGenXCore

/// How each built-in track is synthesised: an ffmpeg `aevalsrc` expression of time `t` built
/// from sine partials with simple envelopes. Nothing is recorded or copied; the sound is made
/// at render time. Peaks stay below 0.35 so a volume of 2.0 does not clip.
extension BuiltinTrack {
    /// The `aevalsrc` expression (commas escaped for a filter graph).
    var expression: String {
        let raw: String
        switch self {
        case .default:
            // C – G – Am – F, 2 s per chord, soft attack and slow decay, 8 s loop.
            let chords: [[Double]] = [[261.63, 329.63, 392.00], [196.00, 246.94, 293.66], [220.00, 261.63, 329.63], [174.61, 220.00, 261.63]]
            let envelope = "(1-exp(-8*mod(t,2)))*exp(-0.35*mod(t,2))"
            let parts = chords.enumerated().map { index, notes in
                let tones = notes.map { "sin(2*PI*\($0)*t)" }.joined(separator: "+")
                return "gte(mod(t,8),\(index * 2))*lt(mod(t,8),\(index * 2 + 2))*(\(tones))"
            }
            raw = "0.09*\(envelope)*(\(parts.joined(separator: "+")))"
        case .calm:
            // An A-minor drone with a 4 s tremolo.
            raw = "0.1*(0.6+0.4*sin(2*PI*0.25*t))*(sin(2*PI*110*t)+0.7*sin(2*PI*164.81*t)+0.5*sin(2*PI*220*t)+0.3*sin(2*PI*261.63*t))"
        case .upbeat:
            // C – E – G – C' eighth notes at 120 bpm with a plucked envelope over a bass pulse.
            let notes = [523.25, 659.25, 783.99, 1046.50]
            let parts = notes.enumerated().map { index, frequency in
                "gte(mod(t,1),\(Double(index) * 0.25))*lt(mod(t,1),\(Double(index + 1) * 0.25))*sin(2*PI*\(frequency)*t)"
            }
            raw = "0.18*exp(-6*mod(t,0.25))*(\(parts.joined(separator: "+")))+0.12*exp(-3*mod(t,0.5))*sin(2*PI*65.41*t)"
        }
        return raw.replacingOccurrences(of: ",", with: "\\,")
    }
}
