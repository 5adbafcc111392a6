using Microsoft.Extensions.Options;

namespace Lab05.Accounts;

/// <summary>What a withdrawal did.</summary>
public enum WithdrawOutcome { Done, InsufficientFunds, UnknownAccount }

/// <summary>
/// The wallet's accounts, 1 to 1,000, each opened with <c>Lab:InitialBalance</c>. Every movement is written to the
/// ledger first, so that the balance never shows money the ledger does not know about.
/// </summary>
public sealed class AccountStore(Ledger ledger, IOptions<LabOptions> options)
{
    public const int Accounts = 1_000;

    private readonly Dictionary<int, Account> _accounts =
        Enumerable.Range(1, Accounts).ToDictionary(id => id, id => new Account(id, options.Value.InitialBalance));

    public decimal OpeningBalance => options.Value.InitialBalance;

    // One movement at a time, whichever the account: correct, and every account waits for every other.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public Account? Find(int id) => _accounts.GetValueOrDefault(id);

    public async Task<(WithdrawOutcome Outcome, decimal Balance)> WithdrawAsync(int id, decimal amount, CancellationToken ct)
    {
        if (Find(id) is not { } account) return (WithdrawOutcome.UnknownAccount, 0);

        await _gate.WaitAsync(ct);
        try
        {
            var balance = account.Balance;
            if (balance < amount) return (WithdrawOutcome.InsufficientFunds, balance);

            await ledger.AppendAsync(id, -amount, ct);
            account.Balance = balance - amount;
            return (WithdrawOutcome.Done, account.Balance);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<decimal?> DepositAsync(int id, decimal amount, CancellationToken ct)
    {
        if (Find(id) is not { } account) return null;

        await _gate.WaitAsync(ct);
        try
        {
            var balance = account.Balance;
            await ledger.AppendAsync(id, amount, ct);
            account.Balance = balance + amount;
            return account.Balance;
        }
        finally
        {
            _gate.Release();
        }
    }
}
