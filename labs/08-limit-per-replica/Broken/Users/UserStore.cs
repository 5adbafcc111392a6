namespace Lab08.Users;

/// <summary>A user, as the store holds it.</summary>
public sealed record User(int Id, string Name, string Email, DateOnly Since);

/// <summary>What <c>GET /api/users/{id}</c> answers.</summary>
public sealed record UserProfile(int Id, string Name, string Email, DateOnly Since, string Signature);

/// <summary>
/// The users, in memory: ids 1 to 100,000, except every tenth, whose accounts were deleted (the store answers null
/// for them, as a database answers no row).
/// </summary>
public sealed class UserStore
{
    public const int MaxId = 100_000;

    public User? Find(int id) =>
        id is < 1 or > MaxId || id % 10 == 0
            ? null
            : new User(id, $"User {id:D6}", $"user{id:D6}@example.com", new DateOnly(2020, 1, 1).AddDays(id % 1_500));
}
