using Microsoft.AspNetCore.Http.HttpResults;

namespace Lab08.Users;

/// <summary><c>GET /api/users/{id}</c>: a user's profile, signed for the caller named by <c>X-Client-Id</c>.</summary>
public static class UserEndpoints
{
    public const string ClientIdHeader = "X-Client-Id";

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/users").WithTags("Users").MapGet("/{id:int}", Get);
        return app;
    }

    private static Results<Ok<UserProfile>, ProblemHttpResult> Get(int id, HttpContext http, UserStore store, CallerCheck check, UserMetrics metrics)
    {
        var caller = http.Request.Headers[ClientIdHeader].ToString();
        var user = store.Find(id);
        if (user is null)
        {
            metrics.Looked("missing");
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found", detail: $"There is no user {id}.");
        }

        var signature = check.Sign(caller, id);
        metrics.Looked("found");
        return TypedResults.Ok(new UserProfile(user.Id, user.Name, user.Email, user.Since, signature));
    }
}
