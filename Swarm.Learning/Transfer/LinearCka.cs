namespace Swarm.Learning.Transfer;

/// <summary>
/// Linear centered kernel alignment (CKA, Kornblith, Norouzi, Lee and Hinton, "Similarity of Neural Network
/// Representations Revisited", ICML 2019, §3: linear CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) for column-centered X and Y)
/// between a model's features on a site's images and the images' labels as one-hot rows. With the labels as the
/// second representation this is the centered kernel-target alignment of Cortes, Mohri and Rostamizadeh (JMLR 2012):
/// how much of the features' linear similarity structure follows the classes, in [0, 1], invariant to isotropic
/// scaling and orthogonal transforms of the features. It needs no training, so a site can score a candidate source
/// model on its own validation images in one forward pass.
/// </summary>
public static class LinearCka
{
    /// <summary>CKA between <paramref name="features"/> (<paramref name="count"/> rows of <paramref name="width"/>,
    /// row after row) and the one-hot rows of <paramref name="labels"/> (each in [0, <paramref name="classes"/>)).
    /// 0 when either side is constant (no variance to align).</summary>
    public static double WithLabels(ReadOnlySpan<float> features, int count, int width, ReadOnlySpan<long> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (features.Length != (long)count * width)
        {
            throw new ArgumentException($"{features.Length} features are not {count} rows of {width}", nameof(features));
        }
        if (labels.Length != count)
        {
            throw new ArgumentException($"{labels.Length} labels for {count} rows", nameof(labels));
        }
        var x = Centered(features, count, width);
        var y = new double[count * classes];
        for (var i = 0; i < count; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new ArgumentException($"label {labels[i]} of row {i} is outside [0, {classes})", nameof(labels));
            }
            y[(i * classes) + labels[i]] = 1;
        }
        CenterColumns(y, count, classes);
        var cross = FrobeniusSquared(x, width, y, classes, count);
        var xx = Math.Sqrt(FrobeniusSquared(x, width, x, width, count));
        var yy = Math.Sqrt(FrobeniusSquared(y, classes, y, classes, count));
        return xx == 0 || yy == 0 ? 0 : cross / (xx * yy);
    }

    private static double[] Centered(ReadOnlySpan<float> features, int count, int width)
    {
        var x = new double[features.Length];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = features[i];
        }
        CenterColumns(x, count, width);
        return x;
    }

    private static void CenterColumns(double[] m, int rows, int columns)
    {
        for (var j = 0; j < columns; j++)
        {
            var mean = 0.0;
            for (var i = 0; i < rows; i++)
            {
                mean += m[(i * columns) + j];
            }
            mean /= rows;
            for (var i = 0; i < rows; i++)
            {
                m[(i * columns) + j] -= mean;
            }
        }
    }

    /// <summary>‖AᵀB‖²_F for A (rows × a) and B (rows × b), summed in a fixed order.</summary>
    private static double FrobeniusSquared(double[] a, int aColumns, double[] b, int bColumns, int rows)
    {
        var product = new double[aColumns * bColumns];
        for (var r = 0; r < rows; r++)
        {
            var aRow = a.AsSpan(r * aColumns, aColumns);
            var bRow = b.AsSpan(r * bColumns, bColumns);
            for (var i = 0; i < aColumns; i++)
            {
                var ai = aRow[i];
                if (ai == 0)
                {
                    continue;
                }
                var target = product.AsSpan(i * bColumns, bColumns);
                for (var j = 0; j < bColumns; j++)
                {
                    target[j] += ai * bRow[j];
                }
            }
        }
        var sum = 0.0;
        foreach (var v in product)
        {
            sum += v * v;
        }
        return sum;
    }
}
