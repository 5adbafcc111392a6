using Microsoft.Extensions.Options;

namespace Lab05.Accounts;

/// <summary>One movement of money: a deposit (positive) or a withdrawal (negative).</summary>
public sealed record LedgerEntry(long Sequence, int AccountId, decimal Amount, DateTimeOffset At);

/// <summary>
/// The ledger every movement is written to before the balance changes: the bank's record of what happened. The
/// write is I/O (a database round trip in production), simulated by <c>Lab:LedgerLatencyMs</c> on the injected clock.
/// </summary>
public sealed class Ledger(IOptions<LabOptions> options, TimeProvider clock)
{
    private readonly List<LedgerEntry> _entries = [];
    private readonly Lock _gate = new();

    public async Task AppendAsync(int accountId, decimal amount, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(options.Value.LedgerLatencyMs), clock, ct);
        lock (_gate) _entries.Add(new LedgerEntry(_entries.Count + 1, accountId, amount, clock.GetUtcNow()));
    }

    /// <summary>The movements of one account, oldest first.</summary>
    public IReadOnlyList<LedgerEntry> Of(int accountId)
    {
        lock (_gate) return _entries.Where(e => e.AccountId == accountId).ToList();
    }
}
