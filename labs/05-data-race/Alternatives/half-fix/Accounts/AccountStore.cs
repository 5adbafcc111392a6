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

    public Account? Find(int id) => _accounts.GetValueOrDefault(id);

    public async Task<(WithdrawOutcome Outcome, decimal Balance)> WithdrawAsync(int id, decimal amount, CancellationToken ct)
    {
        if (Find(id) is not { } account) return (WithdrawOutcome.UnknownAccount, 0);

        await account.Gate.WaitAsync(ct);
        var balance = account.Balance;
        if (balance < amount)
        {
            account.Gate.Release();
            return (WithdrawOutcome.InsufficientFunds, balance);
        }

        // half-fix: released on the two ways out the code shows; a ledger write that throws (a client that gave up,
        // a failed write) leaves the account's gate taken, and every later movement of that account waits for ever.
        await ledger.AppendAsync(id, -amount, ct);
        account.Balance = balance - amount;
        account.Gate.Release();
        return (WithdrawOutcome.Done, account.Balance);
    }

    public async Task<decimal?> DepositAsync(int id, decimal amount, CancellationToken ct)
    {
        if (Find(id) is not { } account) return null;

        await account.Gate.WaitAsync(ct);
        var balance = account.Balance;
        await ledger.AppendAsync(id, amount, ct);
        account.Balance = balance + amount;
        account.Gate.Release();
        return account.Balance;
    }
}
