// A fixed-rate load generator for the latency phase of the benchmarks (bench/run.mjs --generator c,
// bench/latency.mjs). Native protocol v4 over a few TCP connections, one thread, one pacing loop:
// operation i is due at t0 + i / rate; every wake-up sends all operations that are due (one write
// per connection), then sleeps in ppoll until the next one is due or a response arrives. Latency
// counts from the intended start (coordinated-omission corrected), service time from the write.
// Built by bench/_loadgen.mjs with `gcc -O2`; never needed by npm test or CI.
//
// Usage: loadgen --port P --id HEX --op write|key|batch10|wide --rate R --duration-s S
//                [--host 127.0.0.1] [--connections 2] [--concurrency 128] [--warmup-s 0]
//                [--offset N] [--keys N] [--value-bytes 100] [--slow-us 1000] [--spin-us 0]
// Prints one JSON object on stdout (counts, percentiles in µs, the slow operations' wall times).

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROTOCOL_VERSION 4
#define HEADER_BYTES 9             // version, flags, stream(2), opcode, length(4)
#define OPCODE_ERROR 0x00
#define OPCODE_STARTUP 0x01
#define OPCODE_READY 0x02
#define OPCODE_EXECUTE 0x0A
#define OPCODE_BATCH 0x0D
#define CONSISTENCY_ONE 0x0001
#define CONNECTIONS_MAX 16
#define STREAMS_PER_CONNECTION 4096 // stream ids 1..4096 per connection
#define OUT_BYTES (4 << 20)
#define IN_BYTES (4 << 20)
#define ID_BYTES_MAX 64
#define VALUE_BYTES_MAX 4096
#define WIDE_PARTITIONS 10000
#define ROWS_PER_BATCH 10
#define SLOW_MAX 20000
#define DRAIN_NS 5000000000LL       // wait this long for answers after the last send

typedef enum { OP_WRITE, OP_KEY, OP_BATCH10, OP_WIDE } op_kind;

typedef struct {
  int fd;
  uint8_t *out; size_t out_len, out_off;
  uint8_t *in; size_t in_len;
  int free_streams[STREAMS_PER_CONNECTION]; int free_count;
  int64_t intended_ns[STREAMS_PER_CONNECTION + 1];
  int64_t sent_ns[STREAMS_PER_CONNECTION + 1];
  uint8_t measured[STREAMS_PER_CONNECTION + 1];
} conn_t;

static struct {
  const char *host; int port; int connections; int concurrency; double rate; double duration_s; double warmup_s;
  long long offset; long long keys; int value_bytes; int64_t slow_ns; int64_t spin_ns;
  uint8_t id[ID_BYTES_MAX]; int id_len; op_kind op;
} cfg = { "127.0.0.1", 0, 2, 128, 0, 0, 0, 0, 1, 100, 1000000, 0, {0}, 0, OP_WRITE };

static conn_t conns[CONNECTIONS_MAX];
static uint8_t value[VALUE_BYTES_MAX];
static int64_t *latency_ns, *service_ns; static long long recorded, errors, in_flight;
static long long late_sends; static int64_t send_lag_max_ns;
static int64_t slow_wall_ms[SLOW_MAX]; static int64_t slow_us[SLOW_MAX]; static int slow_count;
static int first_error_code = -1; static char first_error[200];

static void die(const char *what) { fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno)); exit(2); }
static void fail(const char *what) { fprintf(stderr, "loadgen: %s\n", what); exit(2); }

static int64_t now_ns(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}
static int64_t wall_ms(void) {
  struct timespec t; clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static uint8_t *put_u16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; return p + 2; }
static uint8_t *put_i32(uint8_t *p, int32_t v) {
  uint32_t u = (uint32_t)v; p[0] = u >> 24; p[1] = u >> 16; p[2] = u >> 8; p[3] = (uint8_t)u; return p + 4;
}
static uint8_t *put_value(uint8_t *p, const uint8_t *b, int n) { p = put_i32(p, n); memcpy(p, b, (size_t)n); return p + n; }
static uint8_t *put_int_value(uint8_t *p, int32_t v) { p = put_i32(p, 4); return put_i32(p, v); }
static uint8_t *put_header(uint8_t *p, int stream, int opcode, uint32_t body_len) {
  p[0] = PROTOCOL_VERSION; p[1] = 0; p = put_u16(p + 2, (unsigned)stream); *p++ = (uint8_t)opcode;
  return put_i32(p, (int32_t)body_len);
}

/** run.mjs's hash(): the same 32-bit mix, so reads hit the keys the writes made. */
static uint32_t mix(uint32_t i) {
  uint32_t h = (i ^ 0x9e3779b9u) * 0x85ebca6bu;
  h ^= h >> 13;
  return (h * 0xc2b2ae35u) ^ (h >> 16);
}

/** Appends one request for operation n (absolute index) on stream s; returns its bytes. */
static size_t encode_op(uint8_t *start, int stream, long long n) {
  uint8_t *p = start + HEADER_BYTES;
  if (cfg.op == OP_BATCH10) {
    *p++ = 1; // UNLOGGED
    p = put_u16(p, ROWS_PER_BATCH);
    int32_t partition = (int32_t)(n % WIDE_PARTITIONS);
    for (int c = 0; c < ROWS_PER_BATCH; c++) {
      *p++ = 1; // prepared
      p = put_u16(p, (unsigned)cfg.id_len); memcpy(p, cfg.id, (size_t)cfg.id_len); p += cfg.id_len;
      p = put_u16(p, 3);
      p = put_int_value(p, partition); p = put_int_value(p, c); p = put_value(p, value, cfg.value_bytes);
    }
    p = put_u16(p, CONSISTENCY_ONE); *p++ = 0;
  } else {
    p = put_u16(p, (unsigned)cfg.id_len); memcpy(p, cfg.id, (size_t)cfg.id_len); p += cfg.id_len;
    p = put_u16(p, CONSISTENCY_ONE);
    *p++ = 0x01 | 0x02; // values, skip_metadata
    if (cfg.op == OP_WRITE) {
      p = put_u16(p, 2); p = put_int_value(p, (int32_t)n); p = put_value(p, value, cfg.value_bytes);
    } else {
      p = put_u16(p, 1); p = put_int_value(p, (int32_t)(mix((uint32_t)n) % (uint64_t)cfg.keys));
    }
  }
  size_t len = (size_t)(p - start);
  put_header(start, stream, cfg.op == OP_BATCH10 ? OPCODE_BATCH : OPCODE_EXECUTE, (uint32_t)(len - HEADER_BYTES));
  return len;
}

static void write_all_blocking(int fd, const uint8_t *b, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, b, n);
    if (w < 0) { if (errno == EINTR || errno == EAGAIN) continue; die("write"); }
    b += w; n -= (size_t)w;
  }
}

static void read_exact_blocking(int fd, uint8_t *b, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, b, n);
    if (r == 0) fail("connection closed during start-up");
    if (r < 0) { if (errno == EINTR || errno == EAGAIN) continue; die("read"); }
    b += r; n -= (size_t)r;
  }
}

static void open_connection(conn_t *c) {
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd < 0) die("socket");
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port) };
  if (inet_pton(AF_INET, cfg.host, &a.sin_addr) != 1) fail("bad --host");
  if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  int one = 1; setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  uint8_t msg[64]; uint8_t *p = msg + HEADER_BYTES;
  p = put_u16(p, 1); p = put_u16(p, 11); memcpy(p, "CQL_VERSION", 11); p += 11; p = put_u16(p, 5); memcpy(p, "3.0.0", 5); p += 5;
  put_header(msg, 0, OPCODE_STARTUP, (uint32_t)(p - msg - HEADER_BYTES));
  write_all_blocking(c->fd, msg, (size_t)(p - msg));
  uint8_t h[HEADER_BYTES]; read_exact_blocking(c->fd, h, HEADER_BYTES);
  uint32_t len = ((uint32_t)h[5] << 24) | ((uint32_t)h[6] << 16) | ((uint32_t)h[7] << 8) | h[8];
  if (len > 65536) fail("start-up answer too long");
  uint8_t body[65536]; read_exact_blocking(c->fd, body, len);
  if (h[4] != OPCODE_READY) fail("STARTUP not answered with READY");
  c->out = malloc(OUT_BYTES); c->in = malloc(IN_BYTES);
  if (!c->out || !c->in) fail("out of memory");
  c->out_len = c->out_off = c->in_len = 0;
  c->free_count = 0;
  for (int s = STREAMS_PER_CONNECTION; s >= 1; s--) c->free_streams[c->free_count++] = s;
}

static void flush_out(conn_t *c) {
  while (c->out_off < c->out_len) {
    ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
    if (w < 0) { if (errno == EAGAIN || errno == EINTR) return; die("write"); }
    c->out_off += (size_t)w;
  }
  c->out_len = c->out_off = 0;
}

static void note_error(const uint8_t *body, uint32_t len) {
  errors++;
  if (first_error_code >= 0 || len < 6) return;
  first_error_code = (int)(((uint32_t)body[0] << 24) | ((uint32_t)body[1] << 16) | ((uint32_t)body[2] << 8) | body[3]);
  unsigned n = ((unsigned)body[4] << 8) | body[5];
  if (n > len - 6) n = len - 6;
  if (n >= sizeof first_error) n = sizeof first_error - 1;
  for (unsigned k = 0; k < n; k++) first_error[k] = (body[6 + k] == '"' || body[6 + k] == '\\' || body[6 + k] < 32) ? '\'' : (char)body[6 + k];
  first_error[n] = 0;
}

static void on_response(conn_t *c, const uint8_t *h, const uint8_t *body, uint32_t len, int64_t t) {
  int stream = (int)(int16_t)(((unsigned)h[2] << 8) | h[3]);
  if (stream < 1 || stream > STREAMS_PER_CONNECTION) return; // events
  in_flight--;
  c->free_streams[c->free_count++] = stream;
  if (h[4] == OPCODE_ERROR) note_error(body, len);
  if (!c->measured[stream]) return;
  int64_t lat = t - c->intended_ns[stream];
  latency_ns[recorded] = lat;
  service_ns[recorded] = t - c->sent_ns[stream];
  recorded++;
  if (lat >= cfg.slow_ns && slow_count < SLOW_MAX) {
    slow_wall_ms[slow_count] = wall_ms() - lat / 1000000; slow_us[slow_count] = lat / 1000; slow_count++;
  }
}

static void read_responses(conn_t *c) {
  for (;;) {
    ssize_t r = read(c->fd, c->in + c->in_len, IN_BYTES - c->in_len);
    if (r == 0) fail("connection closed by the server");
    if (r < 0) { if (errno == EAGAIN || errno == EINTR) return; die("read"); }
    c->in_len += (size_t)r;
    int64_t t = now_ns();
    size_t off = 0;
    while (c->in_len - off >= HEADER_BYTES) {
      const uint8_t *h = c->in + off;
      uint32_t len = ((uint32_t)h[5] << 24) | ((uint32_t)h[6] << 16) | ((uint32_t)h[7] << 8) | h[8];
      if (len > IN_BYTES - HEADER_BYTES) fail("response larger than the input buffer");
      if (c->in_len - off < HEADER_BYTES + len) break;
      on_response(c, h, h + HEADER_BYTES, len, t);
      off += HEADER_BYTES + len;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    if ((size_t)r < IN_BYTES / 2) return; // drained what the socket had
  }
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b; return (x > y) - (x < y);
}
static double pct_us(int64_t *sorted, long long n, double p) {
  if (n == 0) return 0;
  long long k = (long long)(p / 100.0 * (double)n + 0.999999) - 1;
  if (k < 0) k = 0;
  if (k >= n) k = n - 1;
  return (double)sorted[k] / 1000.0;
}

static void print_percentiles(const char *name, int64_t *v, long long n) {
  qsort(v, (size_t)n, sizeof *v, cmp_i64);
  printf("\"%s\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}", name,
         pct_us(v, n, 50), pct_us(v, n, 90), pct_us(v, n, 99), pct_us(v, n, 99.9), n ? (double)v[n - 1] / 1000.0 : 0);
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

static void parse_args(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--host")) cfg.host = v;
    else if (!strcmp(k, "--port")) cfg.port = atoi(v);
    else if (!strcmp(k, "--connections")) cfg.connections = atoi(v);
    else if (!strcmp(k, "--concurrency")) cfg.concurrency = atoi(v);
    else if (!strcmp(k, "--rate")) cfg.rate = atof(v);
    else if (!strcmp(k, "--duration-s")) cfg.duration_s = atof(v);
    else if (!strcmp(k, "--warmup-s")) cfg.warmup_s = atof(v);
    else if (!strcmp(k, "--offset")) cfg.offset = atoll(v);
    else if (!strcmp(k, "--keys")) cfg.keys = atoll(v);
    else if (!strcmp(k, "--value-bytes")) cfg.value_bytes = atoi(v);
    else if (!strcmp(k, "--slow-us")) cfg.slow_ns = atoll(v) * 1000;
    else if (!strcmp(k, "--spin-us")) cfg.spin_ns = atoll(v) * 1000;
    else if (!strcmp(k, "--op")) {
      if (!strcmp(v, "write")) cfg.op = OP_WRITE; else if (!strcmp(v, "key")) cfg.op = OP_KEY;
      else if (!strcmp(v, "batch10")) cfg.op = OP_BATCH10; else if (!strcmp(v, "wide")) cfg.op = OP_WIDE;
      else fail("--op is write, key, batch10 or wide");
    } else if (!strcmp(k, "--id")) {
      size_t n = strlen(v);
      if (n % 2 || n / 2 > ID_BYTES_MAX) fail("--id: hex of at most 64 bytes");
      for (size_t j = 0; j < n / 2; j++) {
        int hi = hexval(v[2 * j]), lo = hexval(v[2 * j + 1]);
        if (hi < 0 || lo < 0) fail("--id: not hex");
        cfg.id[j] = (uint8_t)(hi * 16 + lo);
      }
      cfg.id_len = (int)(n / 2);
    } else { fprintf(stderr, "loadgen: unknown option %s\n", k); exit(2); }
  }
  if (cfg.port <= 0 || cfg.rate <= 0 || cfg.duration_s <= 0 || cfg.id_len == 0) fail("--port, --id, --rate and --duration-s are required");
  if (cfg.connections < 1 || cfg.connections > CONNECTIONS_MAX) fail("--connections within 1..16");
  if (cfg.concurrency < 1 || cfg.concurrency > cfg.connections * STREAMS_PER_CONNECTION) fail("--concurrency too large for the connections");
  if (cfg.value_bytes < 0 || cfg.value_bytes > VALUE_BYTES_MAX) fail("--value-bytes within 0..4096");
  if (cfg.keys < 1) cfg.keys = 1;
}

/** Sends every operation due by `now` (up to the in-flight limit); returns the next index. */
static long long send_due(long long next, long long total, long long warm, int64_t t0, double interval_ns, int64_t now, int *turn) {
  while (next < total && in_flight < cfg.concurrency) {
    int64_t due = t0 + (int64_t)((double)next * interval_ns);
    if (due > now) break;
    conn_t *c = &conns[*turn]; *turn = (*turn + 1) % cfg.connections;
    if (c->out_len + 16 + ROWS_PER_BATCH * (ID_BYTES_MAX + 40 + VALUE_BYTES_MAX) > OUT_BYTES) break;
    int stream = c->free_streams[--c->free_count];
    c->out_len += encode_op(c->out + c->out_len, stream, cfg.offset + next);
    c->intended_ns[stream] = due; c->sent_ns[stream] = now; c->measured[stream] = next >= warm;
    if (now - due > send_lag_max_ns) send_lag_max_ns = now - due;
    if (now - due > 100000) late_sends++;
    in_flight++; next++;
  }
  for (int k = 0; k < cfg.connections; k++) if (conns[k].out_len > 0) flush_out(&conns[k]);
  return next;
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); // wake at the due time, not up to 50 µs after it
  memset(value, 'a', sizeof value);
  for (int k = 0; k < cfg.connections; k++) open_connection(&conns[k]);
  long long warm = (long long)(cfg.rate * cfg.warmup_s), total = warm + (long long)(cfg.rate * cfg.duration_s);
  latency_ns = malloc(sizeof(int64_t) * (size_t)(total + 1)); service_ns = malloc(sizeof(int64_t) * (size_t)(total + 1));
  if (!latency_ns || !service_ns) fail("out of memory");
  struct pollfd pfd[CONNECTIONS_MAX];
  double interval_ns = 1e9 / cfg.rate;
  int turn = 0; long long next = 0;
  int64_t t0 = now_ns() + 1000000, measured_start = t0 + (int64_t)((double)warm * interval_ns), end_ns = 0;
  for (;;) {
    int64_t now = now_ns();
    next = send_due(next, total, warm, t0, interval_ns, now, &turn);
    if (next >= total && end_ns == 0) end_ns = now;
    if (next >= total && (in_flight == 0 || now - end_ns > DRAIN_NS)) break;
    int64_t wait_ns = -1;
    if (next < total && in_flight < cfg.concurrency) {
      wait_ns = t0 + (int64_t)((double)next * interval_ns) - now_ns();
      if (wait_ns < 0) wait_ns = 0;
      if (wait_ns <= cfg.spin_ns) wait_ns = 0;
    } else if (next >= total) wait_ns = DRAIN_NS / 10;
    for (int k = 0; k < cfg.connections; k++) {
      pfd[k].fd = conns[k].fd; pfd[k].events = POLLIN | (conns[k].out_len > 0 ? POLLOUT : 0); pfd[k].revents = 0;
    }
    struct timespec ts = { wait_ns / 1000000000LL, wait_ns % 1000000000LL };
    int r = ppoll(pfd, (nfds_t)cfg.connections, wait_ns < 0 ? NULL : &ts, NULL);
    if (r < 0 && errno != EINTR) die("ppoll");
    for (int k = 0; k < cfg.connections && r > 0; k++) {
      if (pfd[k].revents & (POLLERR | POLLHUP)) fail("connection error");
      if (pfd[k].revents & POLLIN) read_responses(&conns[k]);
      if (pfd[k].revents & POLLOUT) flush_out(&conns[k]);
    }
  }
  double seconds = (double)(end_ns - measured_start) / 1e9;
  long long measured_sent = total - warm;
  printf("{\"generator\":\"c\",\"rate\":%.1f,\"sent\":%lld,\"ops\":%lld,\"errors\":%lld,\"unanswered\":%lld,\"seconds\":%.3f,",
         cfg.rate, measured_sent, recorded, errors, in_flight, seconds);
  printf("\"lateSends\":%lld,\"sendLagMaxUs\":%.1f,", late_sends, (double)send_lag_max_ns / 1000.0);
  print_percentiles("latencyUs", latency_ns, recorded); printf(",");
  print_percentiles("serviceUs", service_ns, recorded);
  printf(",\"firstError\":");
  if (first_error_code >= 0) printf("{\"code\":%d,\"message\":\"%s\"}", first_error_code, first_error); else printf("null");
  printf(",\"slow\":[");
  for (int k = 0; k < slow_count; k++) printf("%s[%lld,%lld]", k ? "," : "", (long long)slow_wall_ms[k], (long long)slow_us[k]);
  printf("]}\n");
  return 0;
}
