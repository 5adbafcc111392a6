using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Lab06;
using Lab06.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Lab06.Benchmarks;

/// <summary>
/// What the fix adds to a request it admits: Fixed's global limiter (a token bucket per caller, then a concurrency
/// limit) acquired and released around the lookup's own work, the profile signature at the default
/// <c>Lab:WorkFactor</c>. The limits are high enough that every request is admitted. Baseline: the work alone.
/// </summary>
[MemoryDiagnoser]
public class LimiterCostBenchmarks
{
    private CallerCheck _check = null!;
    private PartitionedRateLimiter<HttpContext> _limiter = null!;
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        var lab = new LabOptions { TokensPerSecond = 100_000_000, Burst = 100_000_000 };
        _check = new CallerCheck(Options.Create(lab));
        _limiter = CallerLimits.GlobalLimiter(lab);
        _context = new DefaultHttpContext();
        _context.Request.Path = "/api/users/42";
        _context.Request.Headers[UserEndpoints.ClientIdHeader] = "web-shop";
    }

    [GlobalCleanup]
    public void Cleanup() => _limiter.Dispose();

    [Benchmark(Baseline = true, Description = "lookup work alone")]
    public string Lookup() => _check.Sign("web-shop", 42);

    [Benchmark(Description = "limiter, then the lookup work")]
    public string LimitedLookup()
    {
        using var lease = _limiter.AttemptAcquire(_context);
        return lease.IsAcquired ? _check.Sign("web-shop", 42) : throw new InvalidOperationException("The benchmark's limits should admit every request.");
    }

    [Benchmark(Description = "limiter alone")]
    public bool LimiterAlone()
    {
        using var lease = _limiter.AttemptAcquire(_context);
        return lease.IsAcquired;
    }
}
