-- wrk prints its summary for people; this prints the figures the benchmarks read, as JSON,
-- with the 95th percentile that wrk's own --latency table leaves out.
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "timeouts": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
