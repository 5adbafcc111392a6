using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab06.Users;

/// <summary><c>GET /api/users/{id}</c>, switched off: no lookup, no work, nothing to storm.</summary>
public static class UserEndpoints
{
    public const string ClientIdHeader = "X-Client-Id";

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/users").WithTags("Users").MapGet("/{id:int}", Get);
        return app;
    }

    private static ProblemHttpResult Get(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found", detail: $"There is no user {id}.");
}
