// libFuzzer target for everything that reads an API page before it is stored: the envelope
// parser (page_envelope.h), the structural fingerprint of records (schema_fingerprint.h) and
// the sampled fingerprint + drift comparison (drift_recorder.h). Built and run by scripts/fuzz
// with clang's -fsanitize=fuzzer,address,undefined; any crash, sanitizer report or broken
// invariant below is a finding.
//
// Invariants checked on every input:
//   - a body the envelope parser accepts is a page: fingerprinting all of it, or a sample of
//     it, does not throw;
//   - a fingerprint's text reads back to the same text (what meta.schema_versions stores);
//   - a fingerprint shows no change against itself, and a page matches the version recorded
//     from it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "core/error.h"
#include "extract/drift_recorder.h"
#include "extract/page_envelope.h"
#include "extract/schema_fingerprint.h"

namespace {

[[noreturn]] void broken(const char* what) {
  // abort() makes libFuzzer keep the input as a crash, with this line above the stack.
  __builtin_fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

void check_fingerprint(const baliza::extract::SchemaFingerprint& fp) {
  using baliza::extract::SchemaFingerprint;
  const std::string text = fp.text();
  const SchemaFingerprint back = SchemaFingerprint::from_text(text);
  if (back.text() != text) broken("fingerprint text does not read back to itself");
  if (!baliza::extract::diff_fingerprints(fp, back).empty())
    broken("fingerprint differs from itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace baliza::extract;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const EnvelopeParse parse = parse_page_envelope(body);
  if (!parse.ok()) {
    if (parse.message.empty() && parse.error != EnvelopeError::kEmptyBody)
      broken("a rejected page without a reason");
    // Not a page: the fingerprint must refuse it cleanly (an exception, not a crash).
    try {
      SchemaFingerprint fp;
      fp.add_page(body);
    } catch (const baliza::Error&) {
    }
    return 0;
  }
  try {
    SchemaFingerprint whole;
    whole.add_page(body);
    check_fingerprint(whole);
    const SchemaFingerprint sample = sample_page_fingerprint(body, 4);
    check_fingerprint(sample);
    DriftRecorder drift;
    drift.observe("fuzz", sample);  // the baseline
    if (drift.observe("fuzz", sample)) broken("a page does not match the version made from it");
  } catch (const baliza::Error& e) {
    __builtin_fprintf(stderr, "%s\n", e.what());
    broken("an accepted page could not be fingerprinted");
  }
  return 0;
}
