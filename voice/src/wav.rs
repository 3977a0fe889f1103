//! The WAV files voices write (RIFF, PCM, 16-bit) and the one the encoder reads.

use crate::{Pcm, VoiceError};

/// Reads a 16-bit PCM WAV file; a stereo one is mixed down to mono. A `data` chunk whose length
/// is unknown (written to a pipe, as espeak-ng does: `0xFFFFFFFF` or more than is there) runs
/// to the end of the file.
pub fn read(bytes: &[u8]) -> Result<Pcm, VoiceError> {
    let bad = |why: &str| VoiceError::BadWav(why.to_string());
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(bad("no RIFF/WAVE header"));
    }
    let mut at = 12;
    let mut format: Option<(u16, u16, u32, u16)> = None;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
        let body = at + 8;
        let end = body.saturating_add(len as usize).min(bytes.len());
        match id {
            b"fmt " => {
                let f = &bytes[body..end];
                if f.len() < 16 {
                    return Err(bad("short fmt chunk"));
                }
                let u16_at = |i: usize| u16::from_le_bytes([f[i], f[i + 1]]);
                let rate = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
                format = Some((u16_at(0), u16_at(2), rate, u16_at(14)));
            }
            b"data" => {
                let Some((kind, channels, rate, bits)) = format else {
                    return Err(bad("data before fmt"));
                };
                if kind != 1 || bits != 16 || channels == 0 {
                    return Err(bad("not 16-bit PCM"));
                }
                let data = &bytes[body..end];
                let frame = 2 * usize::from(channels);
                let samples = data
                    .chunks_exact(frame)
                    .map(|f| {
                        let sum: i32 = f
                            .chunks_exact(2)
                            .map(|s| i32::from(i16::from_le_bytes([s[0], s[1]])))
                            .sum();
                        (sum / i32::from(channels)) as i16
                    })
                    .collect();
                return Ok(Pcm { rate, samples });
            }
            _ => {}
        }
        at = body.saturating_add(len as usize + (len as usize & 1));
    }
    Err(bad("no data chunk"))
}

/// Writes `pcm` as a mono 16-bit WAV file.
pub fn write(pcm: &Pcm) -> Vec<u8> {
    let data = (pcm.samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&pcm.rate.to_le_bytes());
    out.extend_from_slice(&(pcm.rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data.to_le_bytes());
    for s in &pcm.samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_a_piped_length() {
        let pcm = Pcm {
            rate: 22_050,
            samples: vec![0, 1, -1, i16::MAX, i16::MIN],
        };
        let mut bytes = write(&pcm);
        assert_eq!(read(&bytes).unwrap(), pcm);
        // espeak-ng --stdout: the lengths are unknown.
        bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        bytes[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(read(&bytes).unwrap(), pcm);
        assert!(read(b"RIFF....WAVE").is_err());
        assert!(read(b"not a wav").is_err());
    }
}
