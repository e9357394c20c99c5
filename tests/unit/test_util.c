/* Unit tests for the engine's utilities: buffers, time, the line reader. */
#include "testutil.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/csvout.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/timeutil.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* sw_buf_int and sw_buf_fixed against printf: AIS positions (1/600,000 degree) and speeds
 * (0.1 knot) over their whole range, printf's "%.6f" / "%.1f" with trailing zeros removed. */
static void buf_numbers(void **state)
{
    struct sw_buf b;
    char want[64];
    sw_buf_init(&b, 0);
    const long long ints[] = {0, -5, 7, 999999999, LLONG_MIN, LLONG_MAX};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        sw_buf_reset(&b);
        assert_int_equal(sw_buf_int(&b, ints[i]), SW_OK);
        snprintf(want, sizeof want, "%lld", ints[i]);
        assert_string_equal(b.data, want);
    }
    uint64_t r = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        int places = i & 1 ? 6 : 1;
        double v = places == 6 ? (double)((long long)(r % 216000001) - 108000000) / 600000.0
                               : (double)(r % 1024) / 10.0;
        sw_buf_reset(&b);
        assert_int_equal(sw_buf_fixed(&b, v, places), SW_OK);
        snprintf(want, sizeof want, "%.*f", places, v);
        char *end = want + strlen(want);
        while (end[-1] == '0')
            *--end = '\0';
        if (end[-1] == '.') end[-1] = '\0';
        if (!strcmp(want, "-0")) snprintf(want, sizeof want, "0");
        assert_string_equal(b.data, want);
    }
    const struct {
        double v;
        int places;
        const char *text;
    } cases[] = {{-0.25, 6, "-0.25"},
                 {124, 6, "124"},
                 {-1e-9, 6, "0"},
                 {38.9, 1, "38.9"},
                 {11.1999998092651, 1, "11.2"},
                 {359.96, 1, "360"},
                 {2.5, 0, "3"},
                 {1e13, 6, "10000000000000"},
                 {-1.5e13, 6, "-15000000000000"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sw_buf_reset(&b);
        assert_int_equal(sw_buf_fixed(&b, cases[i].v, cases[i].places), SW_OK);
        assert_string_equal(b.data, cases[i].text);
    }
    assert_int_equal(sw_buf_fixed(&b, NAN, 6), SW_EINVAL);
    assert_int_equal(sw_buf_fixed(&b, INFINITY, 6), SW_EINVAL);
    assert_int_equal(sw_buf_fixed(&b, 1, 10), SW_EINVAL);
    sw_buf_release(&b);
}

static void buf_limits_and_json(void **state)
{
    struct sw_buf b;
    sw_buf_init(&b, 16);
    assert_int_equal(sw_buf_puts(&b, "0123456789"), SW_OK);
    assert_int_equal(sw_buf_printf(&b, "%d", 12345), SW_OK);
    assert_int_equal(sw_buf_puts(&b, "xx"), SW_ETOOBIG);
    assert_string_equal(b.data, "012345678912345");
    sw_buf_release(&b);
    sw_buf_init(&b, 0);
    assert_int_equal(sw_buf_json_string(&b, "a\"b\\\n\x01", 6), SW_OK);
    assert_string_equal(b.data, "\"a\\\"b\\\\\\n\\u0001\"");
    sw_buf_reset(&b);
    assert_int_equal(sw_buf_json_string_upper(&b, "\x1f\x7f", 2), SW_OK);
    assert_string_equal(b.data, "\"\\u001F\x7f\"");
    sw_buf_release(&b);
    assert_string_equal(sw_strerror(SW_ECHECKSUM), "checksum mismatch");
    assert_string_equal(sw_err_name(SW_ETOOBIG), "SW_ETOOBIG");
}

/* The one CSV writer: RFC 4180 quoting and the spreadsheet-formula guard, the same through
 * both sinks. */
static void csv_fields(void **state)
{
    static const char *const cases[][2] = {
        {"MV KUM UN", "MV KUM UN"},
        {"", ""},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\rx", "\"cr\rx\""},
        {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
        {"=1+2", "'=1+2"},
        {"+1", "'+1"},
        {"-2", "'-2"},
        {"@SUM(A1)", "'@SUM(A1)"},
        {"\tx", "\"'\tx\""},
        {"\r=1", "\"'\r=1\""},
        {" lead", "\" lead\""},
        {"trail ", "\"trail \""},
        {"a-b=c", "a-b=c"},
        {"\"", "\"\"\"\""},
    };
    struct sw_buf b;
    sw_buf_init(&b, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_buf_reset(&b);
        assert_int_equal(sw_csv_append(&b, cases[i][0]), SW_OK);
        assert_int_equal(sw_buf_putc(&b, '\0'), SW_OK);
        assert_string_equal(b.data, cases[i][1]);
        char *out = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&out, &n);
        assert_non_null(f);
        assert_int_equal(sw_csv_put(f, cases[i][0]), SW_OK);
        fclose(f);
        assert_string_equal(out, cases[i][1]);
        free(out);
    }
    sw_buf_reset(&b);
    assert_int_equal(sw_csv_append(&b, NULL), SW_OK);
    assert_int_equal(b.len, 0);
    sw_buf_release(&b);
    sw_buf_init(&b, 4); /* the buffer's maximum reaches the caller */
    assert_int_equal(sw_csv_append(&b, "a,bcdef"), SW_ETOOBIG);
    sw_buf_release(&b);
}

static void time_roundtrip(void **state)
{
    int64_t ms;
    char buf[32];
    assert_int_equal(sw_time_parse("2024-03-01T06:20:00Z", 20, &ms), SW_OK);
    assert_true(ms == 1709274000000LL);
    assert_string_equal(sw_time_format(ms, 1, buf), "2024-03-01T06:20:00Z");
    assert_int_equal(sw_time_parse("2012-01-27 09:57:03.250+01:00", 29, &ms), SW_OK);
    assert_string_equal(sw_time_format(ms, 1, buf), "2012-01-27T08:57:03.250Z");
    assert_int_equal(sw_time_parse("1969-12-31T23:59:59Z", 20, &ms), SW_OK);
    assert_true(ms == -1000);
    assert_string_equal(sw_time_format(ms, 0, buf), "1969-12-31T23:59:59Z");
    assert_int_equal(sw_time_parse("2024-13-01", 10, &ms), SW_EFORMAT);
    assert_int_equal(sw_time_parse("2024-03-01T06:20:00Zjunk", 24, &ms), SW_EFORMAT);
}

static void lines_plain_gzip_and_overlong(void **state)
{
    const char *dir = sw_test_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/l.gz", dir);
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    gzputs(gz, "one\r\n");
    for (int i = 0; i < 70000; i++)
        gzputc(gz, 'x');
    gzputs(gz, "\ntwo\nlast-without-newline");
    gzclose(gz);

    struct sw_lines *l;
    assert_int_equal(sw_lines_open(&l, path, 0), SW_OK);
    const char *line;
    size_t len;
    assert_int_equal(sw_lines_next(l, &line, &len), SW_OK);
    assert_string_equal(line, "one");
    assert_int_equal(sw_lines_next(l, &line, &len), SW_ETOOBIG);
    assert_int_equal(sw_lines_next(l, &line, &len), SW_OK);
    assert_string_equal(line, "two");
    assert_int_equal(sw_lines_lineno(l), 3);
    assert_int_equal(sw_lines_next(l, &line, &len), SW_OK);
    assert_string_equal(line, "last-without-newline");
    assert_int_equal(sw_lines_next(l, &line, &len), SW_EOF);
    sw_lines_free(l);

    /* a truncated gzip stream is an error, not a silent end */
    FILE *f = fopen(path, "rb");
    char raw[4096];
    size_t n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/t.gz", dir);
    f = fopen(path, "wb");
    fwrite(raw, 1, n / 2, f);
    fclose(f);
    assert_int_equal(sw_lines_open(&l, path, 0), SW_OK);
    int rc;
    while ((rc = sw_lines_next(l, &line, &len)) == SW_OK || rc == SW_ETOOBIG)
        ;
    assert_int_equal(rc, SW_ETRUNCATED);
    sw_lines_free(l);
    assert_int_equal(sw_lines_open(&l, "/nonexistent/x", 0), SW_EIO);

    /* the same text as a plain file (read with read(), not gzread): same lines, and the
     * offset reaches the file size */
    snprintf(path, sizeof path, "%s/l.txt", dir);
    f = fopen(path, "wb");
    fputs("one\r\n", f);
    for (int i = 0; i < 70000; i++)
        fputc('x', f);
    fputs("\ntwo\r\r\n\n\x1f\nlast-without-newline", f);
    long size = ftell(f);
    fclose(f);
    assert_int_equal(sw_lines_open(&l, path, 0), SW_OK);
    assert_int_equal(sw_lines_size(l), size);
    assert_int_equal(sw_lines_next(l, &line, &len), SW_OK);
    assert_string_equal(line, "one");
    assert_int_equal(sw_lines_next(l, &line, &len), SW_ETOOBIG);
    assert_int_equal(sw_lines_next(l, &line, &len), SW_OK);
    assert_string_equal(line, "two\r"); /* one '\r' dropped */
    assert_int_equal(sw_lines_next(l, &line, &len), SW_OK);
    assert_int_equal(len, 0);
    assert_int_equal(sw_lines_next(l, &line, &len), SW_OK);
    assert_string_equal(line, "\x1f");
    assert_int_equal(sw_lines_next(l, &line, &len), SW_OK);
    assert_string_equal(line, "last-without-newline");
    assert_int_equal(sw_lines_lineno(l), 6);
    assert_int_equal(sw_lines_next(l, &line, &len), SW_EOF);
    assert_int_equal(sw_lines_offset(l), size);
    sw_lines_free(l);
    /* a one-byte file holding half the gzip magic is plain text */
    snprintf(path, sizeof path, "%s/1.txt", dir);
    f = fopen(path, "wb");
    fputc(0x1f, f);
    fclose(f);
    assert_int_equal(sw_lines_open(&l, path, 0), SW_OK);
    assert_int_equal(sw_lines_next(l, &line, &len), SW_OK);
    assert_int_equal(len, 1);
    assert_int_equal(sw_lines_next(l, &line, &len), SW_EOF);
    sw_lines_free(l);
}

/* Whole files: exactly the maximum is read, one byte more is refused; gzip is transparent; a
 * directory and a gzip stream cut short are errors. */
static void read_file_bounds(void **state)
{
    const char *dir = sw_test_tmpdir();
    char path[256], gzpath[256];
    snprintf(path, sizeof path, "%s/f.txt", dir);
    snprintf(gzpath, sizeof gzpath, "%s/f.txt.gz", dir);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 100000; i++)
        fputc('a' + i % 26, f);
    fclose(f);
    gzFile gz = gzopen(gzpath, "wb");
    for (int i = 0; i < 100000; i++)
        gzputc(gz, 'a' + i % 26);
    gzclose(gz);

    struct sw_buf b;
    const char *const paths[] = {path, gzpath};
    for (int k = 0; k < 2; k++) {
        sw_buf_init(&b, 100000);
        assert_int_equal(sw_read_file(paths[k], &b), SW_OK);
        assert_int_equal(b.len, 100000);
        assert_int_equal(b.data[99999], 'a' + 99999 % 26);
        assert_int_equal(b.data[100000], '\0');
        sw_buf_release(&b);
        sw_buf_init(&b, 99999);
        assert_int_equal(sw_read_file(paths[k], &b), SW_ETOOBIG);
        sw_buf_release(&b);
    }
    sw_buf_init(&b, 0);
    assert_int_equal(sw_read_file(dir, &b), SW_EIO);
    f = fopen(gzpath, "r+b"); /* keep the gzip header and part of the stream only */
    assert_int_equal(ftruncate(fileno(f), 40), 0);
    fclose(f);
    assert_int_equal(sw_read_file(gzpath, &b), SW_ETRUNCATED);
    sw_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_limits_and_json),
        cmocka_unit_test(buf_numbers),
        cmocka_unit_test(csv_fields),
        cmocka_unit_test(time_roundtrip),
        cmocka_unit_test(lines_plain_gzip_and_overlong),
        cmocka_unit_test(read_file_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
