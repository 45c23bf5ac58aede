import { referenceSource, readReferenceChoice } from '../../config/reference-version.ts';

/**
 * Exports the QEMU_REF version's qemu-img and qemu-io as QEMU_IMG/QEMU_IO
 * in each test process, so that everything the tests start (bug-injecting
 * wrappers, the fake instar, repro scripts) wraps the same reference the
 * suite compares against, not whatever qemu-img is on PATH.
 */
const choice = readReferenceChoice(process.env);
if (choice !== undefined && process.env['QEMU_IMG'] === undefined && process.env['QEMU_IO'] === undefined) {
  const source = referenceSource(choice);
  process.env['QEMU_IMG'] = source.qemuImg;
  process.env['QEMU_IO'] = source.qemuIo;
}
