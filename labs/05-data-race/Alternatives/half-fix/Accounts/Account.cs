namespace Lab05.Accounts;

/// <summary>What <c>GET /api/accounts/{id}</c> answers.</summary>
public sealed record AccountView(int Id, decimal Balance);

/// <summary>What <c>GET /api/accounts/{id}/ledger</c> answers: the account's movements and what they add up to.</summary>
public sealed record LedgerView(int Id, decimal Opening, decimal Movements, int Entries, decimal Balance);

/// <summary>The body of a deposit or a withdrawal.</summary>
public sealed record MoneyRequest(decimal? Amount);

/// <summary>One account, in memory.</summary>
public sealed class Account(int id, decimal balance)
{
    public int Id { get; } = id;

    public decimal Balance { get; set; } = balance;

    // One movement at a time per account. An async lock, because the critical section awaits the ledger write.
    public SemaphoreSlim Gate { get; } = new(1, 1);
}
