/* xval.h compiles as C99 (-std=c99 -pedantic -Werror) and works from C: encode, decode and
 * stream a sentence, and an error. Argument: the path of a tokenizer. Exit status 0 on success. */
#include <stdio.h>
#include <string.h>

#include "xval/xval.h"

int main(int argc, char** argv) {
  xval_tokenizer* tok = NULL;
  const char* text = "The orbit takes 365.25 days.";
  int32_t ids[64];
  size_t n = 0, length = 0, i;
  char decoded[128];
  xval_stream* stream = NULL;
  char streamed[128] = "";
  const char* piece = NULL;
  size_t piece_length = 0;
  if (argc != 2) return 2;
  if (xval_tokenizer_load(argv[1], NULL, &tok) != XVAL_OK) {
    fprintf(stderr, "load: %s\n", xval_last_error());
    return 1;
  }
  if (xval_encode(tok, text, strlen(text), NULL, ids, NULL, NULL, 64, &n) != XVAL_OK || n == 0) {
    return 1;
  }
  if (xval_decode(tok, ids, n, decoded, sizeof(decoded), &length) != XVAL_OK) return 1;
  if (strcmp(decoded, text) != 0) return 1;
  if (xval_stream_new(tok, &stream) != XVAL_OK) return 1;
  for (i = 0; i < n; ++i) {
    if (xval_stream_push(stream, ids[i], 1.0f, &piece, &piece_length) != XVAL_OK) return 1;
    strncat(streamed, piece, piece_length);
  }
  if (xval_stream_flush(stream, &piece, &piece_length) != XVAL_OK) return 1;
  strncat(streamed, piece, piece_length);
  if (strcmp(streamed, text) != 0) return 1;
  xval_stream_free(stream);
  if (xval_decode(tok, ids, n, decoded, 4, &length) != XVAL_BUFFER_TOO_SMALL) return 1;
  if (strstr(xval_last_error(), "buffer") == NULL) return 1;
  xval_tokenizer_free(tok);
  {
    /* An enum value outside the enumerators is valid C: refused, not undefined. */
    const float table[2] = {1.0f, 2.0f};
    const int32_t one_id[1] = {1};
    float out[1];
    if (xval_embed(table, (xval_dtype)9, 2, 1, one_id, NULL, 1, out, XVAL_F32, 1) !=
        XVAL_INVALID_ARGUMENT) {
      return 1;
    }
    if (xval_embed(table, XVAL_F32, 2, 1, one_id, NULL, 1, out, XVAL_F32, 1) != XVAL_OK ||
        out[0] != 2.0f) {
      return 1;
    }
  }
  printf("xval %s from C: %zu tokens\n", xval_version(), n);
  return 0;
}
