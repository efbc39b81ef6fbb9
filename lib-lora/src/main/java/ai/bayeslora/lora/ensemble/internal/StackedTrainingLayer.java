package ai.bayeslora.lora.ensemble.internal;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.LinearAdapter;
import ai.bayeslora.lora.LoraLayer;
import ai.bayeslora.lora.train.internal.DropoutRng;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The training counterpart of {@link ai.bayeslora.lora.ensemble.StackedLoraLayer}: the LoRA updates of M members
 * of one module over a batch stacked member-major (row {@code m·B + b} belongs to member m), with A [M, r, in] and
 * B [M, out, r] stacked by {@code torch.stack} from the members' live parameters. The stacks are part of the autograd
 * graph, so one backward through {@code Σ_m loss_m} gives every member's A and B its own gradient (the members' rows
 * are independent, so member m's gradient is that of loss_m alone).
 *
 * <p>All members must have the same layout (same rank, shapes and scale): the interleaved trainer builds them from
 * one {@link ai.bayeslora.lora.LoraConfig}. With dropout active, member m's rows are dropped with member m's own
 * {@link DropoutRng} stream installed (one swap per member and module): each member sees the same sequence of
 * draws, with the same shapes, as when it is trained alone, so its masks are those of a sequential run with the
 * same stream. Without streams (CUDA) dropout draws from the device's global generator.
 *
 * <p>Build one per micro-batch, inside that micro-batch's {@link org.bytedeco.javacpp.PointerScope}.
 */
public final class StackedTrainingLayer implements LinearAdapter {
    private final String moduleName;
    private final int members;
    private final Tensor a;
    private final Tensor b;
    private final double scaling;
    private final double dropout;
    private final List<DropoutRng> streams;

    private StackedTrainingLayer(String moduleName, int members, Tensor a, Tensor b, double scaling, double dropout,
                                 List<DropoutRng> streams) {
        this.moduleName = moduleName;
        this.members = members;
        this.a = a;
        this.b = b;
        this.scaling = scaling;
        this.dropout = dropout;
        this.streams = streams;
    }

    /**
     * Stacks the members' layers of one module (differentiably).
     *
     * @param perMember one layer per member, in member order, all of one layout
     * @param dropout the LoRA dropout probability to apply (0 for none, e.g. in evaluation)
     * @param streams per member its dropout stream, or null to draw from the global generator
     * @throws IllegalArgumentException if a member lacks the module or the layouts differ
     */
    public static StackedTrainingLayer stack(String moduleName, List<LoraLayer> perMember, double dropout,
                                             List<DropoutRng> streams) {
        LoraLayer first = perMember.get(0);
        Tensor[] as = new Tensor[perMember.size()];
        Tensor[] bs = new Tensor[perMember.size()];
        for (int m = 0; m < as.length; m++) {
            LoraLayer l = perMember.get(m);
            if (l == null || l.scaling() != first.scaling()
                    || !java.util.Arrays.equals(Tensors.shape(l.a()), Tensors.shape(first.a()))
                    || !java.util.Arrays.equals(Tensors.shape(l.b()), Tensors.shape(first.b()))) {
                throw new IllegalArgumentException(moduleName + ": member " + m + " does not share member 0's LoRA "
                        + "layout; interleaved training needs members made from one LoraConfig");
            }
            as[m] = l.a();
            bs[m] = l.b();
        }
        if (streams != null && streams.size() != as.length) {
            throw new IllegalArgumentException(streams.size() + " dropout streams for " + as.length + " members");
        }
        return new StackedTrainingLayer(moduleName, as.length, torch.stack(new TensorVector(as)),
                torch.stack(new TensorVector(bs)), first.scaling(), dropout, streams);
    }

    @Override
    public Tensor forward(Tensor input, Tensor baseOutput, Tensor outputRows) {
        long rows = input.size(0);
        if (rows % members != 0) {
            throw new IllegalStateException(moduleName + ": stacked LoRA of " + members + " members got a batch of "
                    + rows + " rows; expected M·B rows stacked member-major");
        }
        Tensor x = dropout > 0 ? dropPerMember(input, rows / members) : input;
        long in = input.size(-1);
        Tensor xa = torch.bmm(x.reshape(members, -1, in), a.transpose(1, 2)); // [M, N, r]
        Tensor bm = outputRows == null ? b : b.index_select(1, outputRows); // [M, out', r]
        long outRows = baseOutput.size(-1);
        Tensor y = torch.baddbmm(baseOutput.reshape(members, -1, outRows), xa, bm.transpose(1, 2), new Scalar(1.0),
                new Scalar(scaling));
        return y.reshape(Tensors.shape(baseOutput));
    }

    /** Dropout on each member's rows [B, …, in] (the shape a lone member's layer sees) from that member's stream. */
    private Tensor dropPerMember(Tensor input, long perMember) {
        Tensor[] parts = new Tensor[members];
        for (int m = 0; m < members; m++) {
            Tensor xm = input.narrow(0, m * perMember, perMember);
            DropoutRng rng = streams == null ? null : streams.get(m);
            if (rng != null) {
                rng.enter();
            }
            try {
                parts[m] = torch.dropout(xm, dropout, true);
            } finally {
                if (rng != null) {
                    rng.exit();
                }
            }
        }
        return torch.cat(new TensorVector(parts), 0);
    }
}
