package io.pacer.core;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every task's {@link TaskState}, keyed by the task's value (id, host and port), so the state of a
 * task survives route table swaps for as long as the task stays in the table.
 *
 * <p>Threading: read by every event loop on each attempt (a {@link ConcurrentHashMap} lookup, no
 * lock); {@link #retainOnly} runs on whatever thread publishes a table.
 */
public final class TaskStates {

    private final ConcurrentHashMap<Task, TaskState> states = new ConcurrentHashMap<>();
    private final FailurePolicy policy;

    public TaskStates(FailurePolicy policy) {
        this.policy = policy;
    }

    public FailurePolicy policy() {
        return policy;
    }

    /**
     * The state of {@code task}. A task not in the table in force (a request still finishing on the
     * table before a swap) gets a fresh state that is not kept.
     */
    public TaskState get(Task task) {
        TaskState s = states.get(task);
        return s != null ? s : new TaskState(task);
    }

    /** Keeps the states of {@code tasks}, creating the missing ones, and forgets every other task. */
    public void retainOnly(Set<Task> tasks) {
        states.keySet().retainAll(tasks);
        for (Task t : tasks) {
            states.computeIfAbsent(t, TaskState::new);
        }
    }

    public Collection<TaskState> all() {
        return states.values();
    }

    /** Tasks marked right now (awaiting their probe included). */
    public int markedCount() {
        int n = 0;
        for (TaskState s : states.values()) {
            if (s.marked()) {
                n++;
            }
        }
        return n;
    }
}
