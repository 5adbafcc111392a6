using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Workshop.Downstream;

/// <summary><c>GET|PUT /control</c>: the behaviour in force, read or replaced, so a test or a replay can turn it mid-run.</summary>
public static class ControlEndpoints
{
    public static IEndpointRouteBuilder MapControl(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup("/control");
        control.MapGet("/", (Behaviour behaviour) => TypedResults.Ok(behaviour.Current));
        control.MapPut("/", Results<Ok<BehaviourOptions>, ValidationProblem> (BehaviourOptions next, Behaviour behaviour) =>
        {
            var errors = new List<ValidationResult>();
            if (!Validator.TryValidateObject(next, new ValidationContext(next), errors, validateAllProperties: true))
            {
                return TypedResults.ValidationProblem(errors.ToDictionary(e => e.MemberNames.FirstOrDefault() ?? "", e => new[] { e.ErrorMessage ?? "invalid" }));
            }
            behaviour.Set(next);
            return TypedResults.Ok(next);
        });
        return app;
    }
}
