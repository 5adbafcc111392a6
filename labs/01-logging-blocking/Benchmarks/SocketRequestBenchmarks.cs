using BenchmarkDotNet.Attributes;

namespace Lab01.Benchmarks;

/// <summary>
/// <see cref="RequestBenchmarks"/> where a user feels it: each request through Kestrel on a loopback port, from a real
/// HTTP client on a keep-alive connection, one at a time.
/// </summary>
[MemoryDiagnoser]
public class SocketRequestBenchmarks : RequestBenchmarks
{
    protected override bool OverSocket => true;

    [GlobalSetup(Target = nameof(FixedCompactJson))]
    public void SetupCompactJson() => StartFixedWith("Serilog, compact JSON");

    [GlobalSetup(Target = nameof(FixedZLogger))]
    public void SetupZLogger() => StartFixedWith("ZLogger, JSON");

    [GlobalSetup(Target = nameof(FixedCompactJsonBuffered))]
    public void SetupCompactJsonBuffered() => StartFixedWith("Serilog, compact JSON, buffered");

    [GlobalSetup(Target = nameof(FixedBatched))]
    public void SetupBatched() => StartFixedWith("Serilog, JSON, batched");

    /// <summary>The fixed service with Serilog's compact JSON formatter in place of the expression template.</summary>
    [Benchmark]
    public Task<int> FixedCompactJson() => GetOrderAsync();

    /// <summary>The fixed service with ZLogger's JSON formatter and bounded background buffer in place of Serilog.</summary>
    [Benchmark]
    public Task<int> FixedZLogger() => GetOrderAsync();

    /// <summary>Serilog's compact JSON, its file sink buffered and flushed every second instead of once an event.</summary>
    [Benchmark]
    public Task<int> FixedCompactJsonBuffered() => GetOrderAsync();

    /// <summary>Serilog's JSON formatter behind a buffer the writer empties in batches, not woken by every event.</summary>
    [Benchmark]
    public Task<int> FixedBatched() => GetOrderAsync();
}

/// <summary><see cref="ConcurrentRequestBenchmarks"/> over Kestrel on loopback: 16 requests in flight on 16 keep-alive connections.</summary>
[MemoryDiagnoser]
public class SocketConcurrentRequestBenchmarks : ConcurrentRequestBenchmarks
{
    protected override bool OverSocket => true;

    [GlobalSetup(Target = nameof(FixedCompactJson))]
    public void SetupCompactJson() => StartFixedWith("Serilog, compact JSON");

    [GlobalSetup(Target = nameof(FixedZLogger))]
    public void SetupZLogger() => StartFixedWith("ZLogger, JSON");

    [GlobalSetup(Target = nameof(FixedCompactJsonBuffered))]
    public void SetupCompactJsonBuffered() => StartFixedWith("Serilog, compact JSON, buffered");

    [GlobalSetup(Target = nameof(FixedBatched))]
    public void SetupBatched() => StartFixedWith("Serilog, JSON, batched");

    /// <summary>The fixed service with Serilog's compact JSON formatter in place of the expression template.</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public Task FixedCompactJson() => GetOrdersAsync();

    /// <summary>The fixed service with ZLogger's JSON formatter and bounded background buffer in place of Serilog.</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public Task FixedZLogger() => GetOrdersAsync();

    /// <summary>Serilog's compact JSON, its file sink buffered and flushed every second instead of once an event.</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public Task FixedCompactJsonBuffered() => GetOrdersAsync();

    /// <summary>Serilog's JSON formatter behind a buffer the writer empties in batches, not woken by every event.</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    public Task FixedBatched() => GetOrdersAsync();
}
