//! The bytecode loader and the machine on any bytes: as given (almost always refused by the
//! checksum), and re-sealed (length and CRC-32 fixed) so that mutations of valid programs reach
//! the section decoders, the verifier and the machine. A program that loads is disassembled,
//! re-encoded (which must give the same module) and evaluated on records built from its schema.
//! Seeds: every campaign compiled by `guide build`, and the runtime's doc example.
#![no_main]

use guide_compiler::analysis::domains;
use guide_runtime::bytecode::format::HEADER_LEN;
use guide_runtime::checksum::crc32;
use guide_runtime::Program;
use libfuzzer_sys::fuzz_target;

fn run(bytes: &[u8]) {
    let Ok(program) = Program::from_bytes(bytes) else {
        return;
    };
    let _ = program.disassemble();
    let _ = program.metadata();
    let again = Program::from_bytes(&program.to_bytes()).expect("a loaded program re-encodes");
    assert_eq!(again.module(), program.module());
    let base = domains::base_record(program.schema());
    guide_fuzz::exercise(&program, &base);
    for d in &guide_fuzz::files().campaigns {
        for r in d.2.iter().take(2) {
            guide_fuzz::exercise(&program, r);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    run(data);
    if data.len() >= HEADER_LEN {
        let mut b = data.to_vec();
        let len = u32::try_from(b.len() - HEADER_LEN).unwrap_or(u32::MAX);
        b[12..16].copy_from_slice(&len.to_le_bytes());
        let crc = crc32(&b[HEADER_LEN..]);
        b[16..20].copy_from_slice(&crc.to_le_bytes());
        run(&b);
    }
});
