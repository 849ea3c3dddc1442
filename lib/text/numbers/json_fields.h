// The JSON (or Python-literal) key a number belongs to, for per-field value scaling: the
// planets records of the xVal paper, {'planet0':{'m':1.2,...},'data':[[[0.1,0.2],...]]},
// scale each key's numbers differently. Tolerant: any text is accepted, never an error.
#ifndef XVAL_TEXT_NUMBERS_JSON_FIELDS_H_
#define XVAL_TEXT_NUMBERS_JSON_FIELDS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace xval::text {

// Reads text left to right, in pieces, keeping the current key: the last string (in ' or ")
// followed by ':'. Brackets nest: a key set inside {...} or [...] ends with it, so the numbers
// of 'data':[[1,2],[3,4]] all belong to 'data'.
class JsonFieldTracker {
 public:
  // Reads the next bytes of the text.
  void Feed(absl::string_view bytes);
  // The key of a number that starts here (empty outside any key).
  absl::string_view field() const { return key_; }

 private:
  std::string key_;
  std::vector<std::string> stack_;  // the key outside each open bracket
  size_t overflow_ = 0;             // brackets open beyond the stack's limit
  std::string string_;             // the string being read, or the last one closed
  char quote_ = 0;                 // the open string's quote; 0 outside strings
  bool escape_ = false;
  bool pending_ = false;           // a string closed and only spaces followed it
};

}  // namespace xval::text

#endif  // XVAL_TEXT_NUMBERS_JSON_FIELDS_H_
