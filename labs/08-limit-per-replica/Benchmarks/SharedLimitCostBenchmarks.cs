using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using RedisRateLimiting;
using StackExchange.Redis;
using Workshop.Toolkit.Processes;

namespace Lab08.Benchmarks;

/// <summary>
/// What the fix costs a request it admits: a token taken from the caller's bucket in Redis (RedisRateLimiting's token
/// bucket, one Lua script a request, against a real redis-server on loopback) against one taken from a bucket in the
/// process (Broken's, and the fallback's). The limits are high enough that every request is admitted.
/// </summary>
[MemoryDiagnoser]
public class SharedLimitCostBenchmarks
{
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private TokenBucketRateLimiter _local = null!;
    private RedisTokenBucketRateLimiter<string> _shared = null!;

    [GlobalSetup]
    public void Setup()
    {
        _redis = RedisServer.StartAsync().GetAwaiter().GetResult();
        _connection = ConnectionMultiplexer.Connect(_redis.Endpoint);
        _local = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1_000_000_000, TokensPerPeriod = 1_000_000_000, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0,
        });
        _shared = new RedisTokenBucketRateLimiter<string>("bench:web-shop", new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => _connection, TokenLimit = 1_000_000_000, TokensPerPeriod = 1_000_000_000, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _shared.Dispose();
        _local.Dispose();
        _connection.Dispose();
        _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "a token from a bucket in the process")]
    public async Task<bool> Local()
    {
        using var lease = await _local.AcquireAsync();
        return lease.IsAcquired ? true : throw new InvalidOperationException("The benchmark's limits should admit every request.");
    }

    [Benchmark(Description = "a token from the caller's bucket in Redis")]
    public async Task<bool> Shared()
    {
        using var lease = await _shared.AcquireAsync();
        return lease.IsAcquired ? true : throw new InvalidOperationException("The benchmark's limits should admit every request.");
    }
}
