using BenchmarkDotNet.Attributes;

namespace Lab05.Benchmarks;

/// <summary>
/// Three correct ways to make a withdrawal's check and debit one step, under 64 concurrent clients making 100
/// withdrawals each: on one hot account, or spread over 64 accounts. A withdrawal "writes the ledger" with
/// <c>await Task.Yield()</c>, an await that really suspends, so a lock is held across it as the wallet's is.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Global lock: one <see cref="SemaphoreSlim"/> for every account. Correct, and every withdrawal of the
/// process waits for every other.</item>
/// <item>Per-account lock: a <see cref="SemaphoreSlim"/> per account, held across the ledger write (what
/// <c>Fixed/</c> does).</item>
/// <item>Compare-and-swap: the balance in cents, debited with <see cref="Interlocked.CompareExchange(ref long, long, long)"/>
/// before the ledger write; no lock, but the ledger is written after the debit, so a failed write must credit it
/// back.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
public class WithdrawalBenchmarks
{
    private const int Clients = 64;
    private const int PerClient = 100;

    private SemaphoreSlim _global = null!;
    private SemaphoreSlim[] _perAccount = null!;
    private long[] _cents = null!;
    private decimal[] _balances = null!;

    /// <summary>"hot": every withdrawal hits account 0; "spread": client c uses account c.</summary>
    [Params("hot", "spread")]
    public string Accounts { get; set; } = "hot";

    [IterationSetup]
    public void Reset()
    {
        _global = new SemaphoreSlim(1, 1);
        _perAccount = Enumerable.Range(0, Clients).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
        _cents = Enumerable.Repeat(long.MaxValue / 2, Clients).ToArray();
        _balances = Enumerable.Repeat(1_000_000_000m, Clients).ToArray();
    }

    [Benchmark(Baseline = true, Description = "global lock")]
    public Task GlobalLock() => RunAsync(async account =>
    {
        await _global.WaitAsync();
        try
        {
            if (_balances[account] < 1m) return false;
            await Task.Yield();
            _balances[account] -= 1m;
            return true;
        }
        finally
        {
            _global.Release();
        }
    });

    [Benchmark(Description = "per-account lock (Fixed)")]
    public Task PerAccountLock() => RunAsync(async account =>
    {
        var gate = _perAccount[account];
        await gate.WaitAsync();
        try
        {
            if (_balances[account] < 1m) return false;
            await Task.Yield();
            _balances[account] -= 1m;
            return true;
        }
        finally
        {
            gate.Release();
        }
    });

    [Benchmark(Description = "compare-and-swap on cents")]
    public Task CompareAndSwap() => RunAsync(async account =>
    {
        while (true)
        {
            var balance = Volatile.Read(ref _cents[account]);
            if (balance < 100) return false;
            if (Interlocked.CompareExchange(ref _cents[account], balance - 100, balance) == balance) break;
        }
        await Task.Yield();
        return true;
    });

    private Task RunAsync(Func<int, Task<bool>> withdraw) =>
        Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var account = Accounts == "hot" ? 0 : client;
            for (var i = 0; i < PerClient; i++) await withdraw(account);
        })));
}
