package ai.bayeslora.spark.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.Success$;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's line per finished (or failed) member task of one training job, identified by its job group (a task's
 * partition index is its member index).
 */
public final class MemberProgress extends SparkListener {
    private static final Logger LOG = LoggerFactory.getLogger("ai.bayeslora.spark.SparkEnsembleTraining");

    private final String jobGroup;
    private final int members;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final Set<Integer> done = ConcurrentHashMap.newKeySet();

    /**
     * @param jobGroup the job group the training job runs in
     * @param members M, for the "k of M" count
     */
    public MemberProgress(String jobGroup, int members) {
        this.jobGroup = jobGroup;
        this.members = members;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        if (start.properties() != null && jobGroup.equals(start.properties().getProperty("spark.jobGroup.id"))) {
            start.stageIds().foreach(id -> stages.add((Integer) id));
        }
    }

    /** The failure's first line (Spark's error string continues with the stack trace). */
    private static String reason(SparkListenerTaskEnd end) {
        String text = end.reason() instanceof TaskFailedReason f ? f.toErrorString() : end.reason().toString();
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!stages.contains(end.stageId())) {
            return;
        }
        int member = end.taskInfo().partitionId();
        int attempt = end.taskInfo().attemptNumber();
        double seconds = end.taskInfo().duration() / 1e3;
        if (end.reason() == Success$.MODULE$) {
            done.add(member);
            LOG.info("member {} finished on executor {} (attempt {}, {} s): {} of {} done", member,
                    end.taskInfo().executorId(), attempt, String.format("%.1f", seconds), done.size(), members);
        } else {
            LOG.warn("member {} failed on executor {} (attempt {}): {}; Spark retries it, from its last checkpoint",
                    member, end.taskInfo().executorId(), attempt, reason(end));
        }
    }
}
