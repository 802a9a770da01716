namespace Swarm.Node.Configuration.Hocon;

// The syntax tree of one HOCON text, as the parser reads it and before any merging: fields in the order they
// were written, includes where they were written. The builder turns it into a value tree.

/// <summary>An entry of an object body: a field or an include.</summary>
internal abstract record SyntaxEntry(HoconOrigin Origin);

/// <summary><c>a.b.c = value</c> (or <c>+=</c>, or <c>a { ... }</c>).</summary>
internal sealed record SyntaxField(HoconPath Path, bool Append, SyntaxValue Value, HoconOrigin Origin) : SyntaxEntry(Origin);

/// <summary><c>include "file"</c> or <c>include required(file("file"))</c>.</summary>
internal sealed record SyntaxInclude(string File, bool Required, HoconOrigin Origin) : SyntaxEntry(Origin);

/// <summary>A value: one part, or several parts side by side (a concatenation).</summary>
internal sealed record SyntaxValue(IReadOnlyList<SyntaxPart> Parts);

/// <summary>One part of a value.</summary>
internal abstract record SyntaxPart(HoconOrigin Origin);

/// <summary>A scalar, whitespace between parts, or a substitution.</summary>
internal sealed record SyntaxLiteral(HoconValue Value) : SyntaxPart(Value.Origin);

/// <summary>An object literal <c>{ ... }</c>.</summary>
internal sealed record SyntaxObject(IReadOnlyList<SyntaxEntry> Entries, HoconOrigin Origin) : SyntaxPart(Origin);

/// <summary>An array literal <c>[ ... ]</c>.</summary>
internal sealed record SyntaxArray(IReadOnlyList<SyntaxValue> Items, HoconOrigin Origin) : SyntaxPart(Origin);
