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

        await account.Gate.WaitAsync(ct); // FIX: the check, the ledger write and the debit are one step for this account
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
            account.Gate.Release(); // FIX: released on every path, the refusal and a cancelled ledger write included
        }
    }

    public async Task<decimal?> DepositAsync(int id, decimal amount, CancellationToken ct)
    {
        if (Find(id) is not { } account) return null;

        await account.Gate.WaitAsync(ct); // FIX: a deposit reads and writes the same balance: the same one step
        try
        {
            var balance = account.Balance;
            await ledger.AppendAsync(id, amount, ct);
            account.Balance = balance + amount;
            return account.Balance;
        }
        finally
        {
            account.Gate.Release(); // FIX: released on every path
        }
    }
}
