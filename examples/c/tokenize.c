/* Tokenize lines from C through the installed library, found with pkg-config:
 *
 *   cc -std=c99 tokenize.c $(pkg-config --cflags --libs xval) -o tokenize
 *   ./tokenize TOKENIZER < lines.txt
 *
 * prints each line's ids separated by spaces, as `xval tokenize --tokenizer TOKENIZER` does,
 * then checks that streaming the ids back gives the line again (on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xval/xval.h>

static int fail(const char* what) {
  fprintf(stderr, "tokenize: %s: %s\n", what, xval_last_error());
  return 1;
}

int main(int argc, char** argv) {
  xval_tokenizer* tok = NULL;
  xval_stream* stream = NULL;
  char line[1 << 16];
  int32_t* ids = NULL;
  size_t capacity = 0, lines = 0, round_trips = 0;
  if (argc != 2) {
    fprintf(stderr, "usage: %s TOKENIZER < lines.txt\n", argv[0]);
    return 2;
  }
  if (xval_tokenizer_load(argv[1], NULL, &tok) != XVAL_OK) return fail(argv[1]);
  if (xval_stream_new(tok, &stream) != XVAL_OK) return fail("stream");
  while (fgets(line, sizeof(line), stdin) != NULL) {
    size_t length = strcspn(line, "\n"), n = 0, i, text_length = 0;
    const char* text = NULL;
    char* decoded = NULL;
    size_t decoded_length = 0;
    xval_status status;
    line[length] = '\0';
    /* Ask for the size first when the buffer is short, then encode into it. */
    status = xval_encode(tok, line, length, NULL, ids, NULL, NULL, capacity, &n);
    if (status == XVAL_BUFFER_TOO_SMALL) {
      capacity = n * 2;
      ids = realloc(ids, capacity * sizeof(int32_t));
      if (ids == NULL) return 1;
      status = xval_encode(tok, line, length, NULL, ids, NULL, NULL, capacity, &n);
    }
    if (status != XVAL_OK) return fail("encode");
    for (i = 0; i < n; ++i) printf(i ? " %d" : "%d", (int)ids[i]);
    printf("\n");
    /* Stream the ids back, as an engine prints a reply. */
    decoded = malloc(length + 1);
    if (decoded == NULL) return 1;
    for (i = 0; i <= n; ++i) {
      status = i < n ? xval_stream_push(stream, ids[i], 1.0f, &text, &text_length)
                     : xval_stream_flush(stream, &text, &text_length);
      if (status != XVAL_OK) return fail("stream");
      if (decoded_length + text_length <= length)
        memcpy(decoded + decoded_length, text, text_length);
      decoded_length += text_length;
    }
    round_trips += decoded_length == length && memcmp(decoded, line, length) == 0;
    free(decoded);
    ++lines;
  }
  fprintf(stderr, "tokenize (C, xval %s): %zu lines, %zu streamed back exactly\n", xval_version(),
          lines, round_trips);
  if (round_trips != lines) {
    fprintf(stderr, "tokenize: %zu lines did not stream back to themselves\n", lines - round_trips);
    return 1;
  }
  free(ids);
  xval_stream_free(stream);
  xval_tokenizer_free(tok);
  return 0;
}
