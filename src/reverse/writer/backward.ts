/**
 * The backward sweep: the statements in reverse, each propagating its adjoint to its operands
 * (`x̄ᵢ += ∂ᵢ·Ω̄` from the rule table), loops reversed as the plan says, restores and
 * recomputations where the plan puts them.
 */
import { forEachStmt } from "../../analysis/activity.ts";
import { fold, isZero, operandD } from "../../ir/builder.ts";
import type { Expr, Operand, Stmt, Type } from "../../ir/ir.ts";
import { BOOLEAN, NUMBER, num, ref } from "../../ir/ir.ts";
import { derivativeType, elementType, isDifferentiable, isReference } from "../../ir/types.ts";
import { add, mul, ruleFor, type D } from "../../rules/rules.ts";
import { mentions, substitute } from "../../rules/d.ts";
import { exprOperands } from "../../emit/inline.ts";
import { exitReads } from "../analysis/counted.ts";
import { inverseOf } from "../analysis/recorded.ts";
import type { Recomputation } from "../analysis/recompute.ts";
import { setCounterToExit } from "../counters.ts";
import { backwardBinomial, countPushes } from "../../checkpoint/driver.ts";
import { ForwardWriter } from "./forward.ts";
import { elementOrFields } from "./base.ts";
import { mapNestedBlocks } from "../../ir/rename.ts";

const OUTPUT: Operand = { kind: "var", name: "\u0000output" };

export abstract class BackwardWriter extends ForwardWriter {
  // ── backward sweep ─────────────────────────────────────────────────────

  protected backwardBlock(stmts: Stmt[]): void {
    for (let i = stmts.length - 1; i >= 0; i--) this.backwardStmt(stmts[i]!);
  }

  /** Emits adjoint code for one statement (marked, so its source line gets a comment). */
  protected adjoint(loc: Stmt["loc"], build: () => void): void {
    const code = this.b.capture(build).map((s) => (loc && !s.loc ? { ...s, loc } : s));
    for (const s of code) this.derivativeCode.add(s);
    this.b.block.push(...code);
  }

  protected restore(name: string, primal: Stmt): void {
    const marker: Stmt = { kind: "comment", text: `restore ${name}`, loc: primal.loc };
    this.restoreMarkers.set(marker, { name, primal });
    this.b.block.push(marker);
  }

  protected backwardStmt(s: Stmt): void {
    const code = this.b.capture(() => this.backwardStmtCode(s));
    // Compound statements read only their condition here; their parts were noted on their own.
    if (s.kind === "if") this.noteReads(s, [{ kind: "if", cond: s.cond, then: [], else: [] }]);
    else if (s.kind === "loop") {
      const counted = this.prepared.counted.get(s);
      // The backward loop starts from the counter's value after the loop: computed, or as left.
      const from = counted?.exit ? exitReads(counted.exit) : counted && ref(counted.counter);
      if (counted) this.noteReads(s, [{ kind: "return", value: counted.start }, { kind: "return", value: from }]);
    } else if (s.kind !== "block") this.noteReads(s, code);
    // Undoing `v = v ± c` reads v's value after it: that value must be there when it runs.
    if (s.kind === "assign" && inverseOf(s, this.fn)) this.noteReads(s, [{ kind: "return", value: ref(s.name) }]);
    this.b.block.push(...code);
  }

  protected backwardStmtCode(s: Stmt): void {
    this.b.loc = s.loc;
    switch (s.kind) {
      case "let":
      case "assign":
        return this.backwardDefinition(s.name, s.kind === "let" ? s.init : s.value, s);
      case "setIndex":
      case "setField": {
        const valueType = this.typeOf(s.value);
        if (this.active(s.object) && isDifferentiable(valueType) && !isReference(valueType)) {
          this.adjoint(s.loc, () => {
            const bar = ref(this.adjointName((s.object as { name: string }).name));
            const element = this.b.temp(s.kind === "setIndex" ? { kind: "index", object: bar, index: s.index } : { kind: "field", object: bar, name: s.name }, NUMBER);
            this.addTo(s.value, element);
            this.b.emit(s.kind === "setIndex" ? { kind: "setIndex", object: bar, index: s.index, value: num(0) } : { kind: "setField", object: bar, name: s.name, value: num(0) });
          });
        }
        if (this.needsRestore(s.object)) {
          const old = this.b.temp({ kind: "pop", object: ref(this.tapeFor(valueType)), type: valueType }, valueType);
          this.b.emit(s.kind === "setIndex" ? { kind: "setIndex", object: s.object, index: s.index, value: old } : { kind: "setField", object: s.object, name: s.name, value: old });
        }
        return;
      }
      case "push": {
        const active = this.active(s.object);
        for (let k = s.values.length - 1; k >= 0; k--) {
          const value = s.values[k]!;
          if (active) {
            this.adjoint(s.loc, () => {
              const bar = ref(this.adjointName((s.object as { name: string }).name));
              if (this.numberBar(value)) {
                const length = this.b.temp({ kind: "length", object: bar }, NUMBER);
                const lastIndex = this.b.temp({ kind: "binary", op: "-", left: length, right: num(1) }, NUMBER);
                const element = this.b.temp({ kind: "index", object: bar, index: lastIndex }, NUMBER);
                this.addTo(value, element);
              }
              this.b.emit({ kind: "drop", object: bar });
            });
          }
          if (this.needsRestore(s.object)) this.b.emit({ kind: "drop", object: s.object });
        }
        return;
      }
      case "drop": {
        // The inverse of a push: the element comes back, and its adjoint starts at zero.
        const element = elementType(this.typeOf(s.object));
        const dropped = this.keepsDropped(s.object) ? this.b.temp({ kind: "pop", object: ref(this.tapeFor(element)), type: element }, element) : undefined;
        if (dropped) this.b.emit({ kind: "push", object: s.object, values: [dropped] });
        if (this.active(s.object)) {
          this.adjoint(s.loc, () => {
            const zero = isReference(element) ? this.b.temp({ kind: "zerosLike", like: dropped!, type: element }, derivativeType(element)) : num(0);
            this.b.emit({ kind: "push", object: ref(this.adjointName((s.object as { name: string }).name)), values: [zero] });
          });
        }
        return;
      }
      case "fill": {
        const valueBar = this.numberBar(s.value);
        if (this.active(s.object)) {
          this.adjoint(s.loc, () => {
            const bar = ref(this.adjointName((s.object as { name: string }).name));
            if (valueBar) {
              this.declareZero(s.value);
              this.sumInto(valueBar, bar);
            }
            if (!isReference(this.typeOf(s.value))) this.b.emit({ kind: "fill", object: bar, value: num(0) });
          });
        }
        if (this.needsRestore(s.object)) {
          const type = this.typeOf(s.object);
          const snapshot = this.b.temp({ kind: "pop", object: ref(this.tapeFor(type)), type }, type);
          this.copyInto(s.object, snapshot, type);
        }
        return;
      }
      case "callStmt":
        return this.backwardCall(s.callee, s.args, undefined, s);
      case "if": {
        const then = this.b.capture(() => {
          this.recomputeHere(s.then);
          this.backwardBlock(s.then);
        });
        const otherwise = this.b.capture(() => {
          this.recomputeHere(s.else);
          this.backwardBlock(s.else);
        });
        if (then.length > 1 || otherwise.length > 1) this.b.emit({ kind: "if", cond: s.cond, then, else: otherwise, loc: s.loc });
        return;
      }
      case "block": {
        const body = this.b.capture(() => {
          this.recomputeHere(s.body);
          this.backwardBlock(s.body);
        });
        if (body.length > 1) this.b.emit({ kind: "block", body, loc: s.loc });
        return;
      }
      case "loop":
        return this.backwardLoop(s);
      default:
        return;
    }
  }

  /**
   * The adjoint of a container result nobody reads: zero, with no elements (the pullback adds
   * it into its own adjoint element by element, so an empty array adds nothing).
   */
  private discardedResultBar(type: Type): Operand {
    const { setup, value } = this.emptyValue(derivativeType(type));
    for (const s of setup) {
      if (s.kind === "let") this.b.types.set(s.name, s.type);
      this.b.emit(s);
    }
    return value;
  }

  protected backwardDefinition(name: string, value: Expr | undefined, s: Stmt): void {
    const type = this.b.types.get(name)!;
    if (value?.kind === "call") {
      // The result's adjoint is kept, then the result restored (it may be an argument, `x = g(x)`,
      // and was saved after any snapshot of the arguments), then the pullback runs.
      this.backwardCall(value.callee, value.args, name, s, () => this.restoreDefinition(name, s));
      return;
    }
    if (!value || !this.activity.isActive(name)) {
      this.restoreDefinition(name, s);
      return;
    }
    if (isReference(type)) {
      this.adjoint(s.loc, () => this.backwardContainer(name, value));
      this.restoreDefinition(name, s);
      return;
    }
    if (!this.hasAdjoint(name)) {
      this.restoreDefinition(name, s);
      return;
    }
    const bar = this.numberBar(ref(name))!;
    const readsItself = exprOperands(value).some((o) => o.kind === "var" && o.name === name);
    const d = this.contributions(value);
    if (!readsItself) {
      // Contributions read the operands (unchanged) and Ω (the current value).
      this.adjoint(s.loc, () => {
        this.propagate(d, value, ref(name), ref(bar));
        this.resetBar(name);
      });
      this.restoreDefinition(name, s);
      return;
    }
    // `x = x ± e` (accumulation): x's adjoint passes through unchanged; e gets ±x̄.
    if (value.kind === "binary" && (value.op === "+" || value.op === "-")) {
      const other = value.left.kind === "var" && value.left.name === name ? value.right : value.op === "+" ? value.left : undefined;
      if (other && !(other.kind === "var" && other.name === name)) {
        this.adjoint(s.loc, () => {
          if (this.numberBar(other)) this.addTo(other, ref(bar), value.op === "-" && other === value.right);
          this.restoreDefinition(name, s);
        });
        return;
      }
    }
    // `x = f(x, …)`: keep Ω and the adjoint, restore the old x, then propagate.
    this.adjoint(s.loc, () => {
      const usesOutput = d.some((p) => p !== undefined && mentions(p.partial, OUTPUT));
      const output = usesOutput ? this.b.temp({ kind: "operand", value: ref(name) }, NUMBER) : ref(name);
      const g = this.b.temp({ kind: "operand", value: ref(bar) }, NUMBER);
      this.b.emit({ kind: "assign", name: bar, value: { kind: "operand", value: num(0) } });
      this.restoreDefinition(name, s);
      this.propagate(d, value, output, g);
    });
  }

  protected restoreDefinition(name: string, s: Stmt): void {
    // A declaration outside loops had no earlier value to bring back.
    if (this.prepared.definitions.first.has(s)) return;
    // The adjoint container was defined (and saved) after the primal one: it comes back first.
    const type = this.b.types.get(name);
    if (type && isReference(type) && this.activity.isActive(name)) this.restore(this.adjointName(name), s);
    this.restore(name, s);
  }


  /** The partial derivative of each operand of an arithmetic or `Math` operation. */
  protected contributions(e: Expr): ({ operand: Operand; partial: D } | undefined)[] {
    switch (e.kind) {
      case "operand":
        return [{ operand: e.value, partial: operandD(num(1)) }];
      case "unary":
      case "binary":
      case "math": {
        const rule = ruleFor(e);
        const args = e.kind === "math" ? e.args : e.kind === "unary" ? [e.arg] : [e.left, e.right];
        if (!rule || rule.kind === "constant") return [];
        if (rule.kind === "pick") {
          // The first argument equal to the result takes the whole adjoint.
          return args.map((a, i) => ({ operand: a, partial: pickPartial(args, i) }));
        }
        const partials = rule.partials(args.map(operandD), operandD(OUTPUT));
        return args.map((a, i) => ({ operand: a, partial: partials[i]! }));
      }
      default:
        return [];
    }
  }

  /** `operandBar += ∂·g` for every active number operand; reads, selects and literals too. */
  protected propagate(d: ({ operand: Operand; partial: D } | undefined)[], value: Expr, output: Operand, g: Operand): void {
    switch (value.kind) {
      case "index":
      case "field": {
        if (!this.active(value.object)) return;
        const container = ref(this.adjointName((value.object as { name: string }).name));
        const read: Expr = value.kind === "index" ? { kind: "index", object: container, index: value.index } : { kind: "field", object: container, name: value.name };
        const current = this.b.temp(read, NUMBER);
        const sum = this.b.temp({ kind: "binary", op: "+", left: current, right: g }, NUMBER);
        this.b.emit(value.kind === "index" ? { kind: "setIndex", object: container, index: value.index, value: sum } : { kind: "setField", object: container, name: value.name, value: sum });
        return;
      }
      case "select": {
        const whenTrue = this.numberBar(value.whenTrue);
        const whenFalse = this.numberBar(value.whenFalse);
        if (!whenTrue && !whenFalse) return;
        // Both branches' adjoints are declared outside the `if` (a single-use one too).
        for (const o of [value.whenTrue, value.whenFalse]) this.declareZero(o);
        const then = this.b.capture(() => whenTrue && this.addTo(value.whenTrue, g));
        const otherwise = this.b.capture(() => whenFalse && this.addTo(value.whenFalse, g));
        this.b.emit({ kind: "if", cond: value.cond, then, else: otherwise });
        return;
      }
    }
    for (const item of mergedByOperand(d)) {
      if (!this.numberBar(item.operand)) continue;
      const amount = fold(mul(substitute(item.partial, OUTPUT, output), operandD(g)));
      if (isZero(amount)) {
        this.declareZero(item.operand);
        continue;
      }
      if (amount.kind === "neg") this.addTo(item.operand, this.b.materialize(amount.arg), true);
      else this.addTo(item.operand, this.b.materialize(amount));
    }
  }

  /** Adjoint code of a container definition: numbers copied or listed in it get theirs back. */
  protected backwardContainer(name: string, value: Expr): void {
    const bar = ref(this.adjointName(name));
    switch (value.kind) {
      case "copy": {
        if (!this.active(value.source)) return;
        const sourceBar = ref(this.adjointName((value.source as { name: string }).name));
        // A deep copy's adjoint is its own all the way down; a shallow one shares its containers'.
        if (value.deep) return this.accumulate(sourceBar, bar, value.type);
        if (value.type.kind === "record") {
          for (const f of value.type.fields) {
            if (f.type.kind !== "number") continue;
            const a = this.b.temp({ kind: "field", object: sourceBar, name: f.name }, NUMBER);
            const b = this.b.temp({ kind: "field", object: bar, name: f.name }, NUMBER);
            this.b.emit({ kind: "setField", object: sourceBar, name: f.name, value: this.b.temp({ kind: "binary", op: "+", left: a, right: b }, NUMBER) });
          }
          return;
        }
        if (value.type.kind === "tuple" && isReference(elementOrFields(value.type))) {
          value.type.elements.forEach((t, i) => {
            if (t.kind !== "number") return;
            const a = this.b.temp({ kind: "index", object: sourceBar, index: num(i) }, NUMBER);
            const b = this.b.temp({ kind: "index", object: bar, index: num(i) }, NUMBER);
            this.b.emit({ kind: "setIndex", object: sourceBar, index: num(i), value: this.b.temp({ kind: "binary", op: "+", left: a, right: b }, NUMBER) });
          });
          return;
        }
        if (isReference(elementOrFields(value.type))) return;
        const offset = value.start;
        this.loopOver(bar, (k) => {
          let target = k;
          if (offset) {
            const start = offset.kind === "number" && offset.value < 0 ? this.b.temp({ kind: "binary", op: "+", left: this.b.temp({ kind: "length", object: value.source }, NUMBER), right: offset }, NUMBER) : offset;
            target = this.b.temp({ kind: "binary", op: "+", left: start, right: k }, NUMBER);
          }
          const a = this.b.temp({ kind: "index", object: sourceBar, index: target }, NUMBER);
          const b = this.b.temp({ kind: "index", object: bar, index: k }, NUMBER);
          this.b.emit({ kind: "setIndex", object: sourceBar, index: target, value: this.b.temp({ kind: "binary", op: "+", left: a, right: b }, NUMBER) });
        });
        return;
      }
      case "arrayLiteral":
        value.elements.forEach((element, i) => {
          if (!this.numberBar(element)) return;
          this.addTo(element, this.b.temp({ kind: "index", object: bar, index: num(i) }, NUMBER));
        });
        return;
      case "recordLiteral":
        for (const field of value.fields) {
          if (!this.numberBar(field.value) || !isDifferentiable(this.typeOf(field.value))) continue;
          this.addTo(field.value, this.b.temp({ kind: "field", object: bar, name: field.name }, NUMBER));
        }
        return;
      case "newArray": {
        if (value.fill && this.numberBar(value.fill)) {
          this.declareZero(value.fill);
          this.sumInto(this.numberBar(value.fill)!, bar);
        }
        return;
      }
      default:
        return;
    }
  }

  protected backwardCall(callee: string, args: Operand[], result: string | undefined, s: Stmt, restoreArguments?: () => void): void {
    const fn = this.program.functions.get(callee)!;
    // Arguments the callee wrote into are put back as they were before the call.
    const mutated = this.mutatedArguments(callee, args);
    const restoreMutated = () => {
      for (const arg of [...mutated].reverse()) {
        const type = this.typeOf(arg);
        const snapshot = this.b.temp({ kind: "pop", object: ref(this.tapeFor(type)), type }, type);
        this.copyInto(arg, snapshot, type);
      }
    };
    const resultActive = result !== undefined && this.activity.isActive(result);
    const split = this.callPullback(callee, args, result);
    if (!split) {
      // Nothing flows back through the call, but the variable it defined starts again from zero.
      if (result !== undefined && this.activity.isActive(result) && !isReference(this.b.types.get(result)!) && this.hasAdjoint(result)) {
        this.adjoint(s.loc, () => {
          this.numberBar(ref(result));
          this.resetBar(result);
        });
      }
      restoreArguments?.();
      restoreMutated();
      return;
    }
    const { mask, pullback, writes } = split;
    const name = pullback.backward;
    // A result whose adjoint stays zero (used only in a comparison, say) sends nothing back.
    if (result !== undefined && !isReference(this.b.types.get(result)!) && !this.hasAdjoint(result) && !writes) {
      restoreArguments?.();
      restoreMutated();
      if (!pullback.whole) this.b.emit({ kind: "drop", object: ref(this.tapeFor(pullback.saved)) });
      return;
    }
    this.adjoint(s.loc, () => {
      const callArgs: Operand[] = [...args];
      const calleeActivity = this.oracle.analyze(fn, mask);
      let resultBar: Operand | undefined;
      if (calleeActivity.resultActive && resultActive && (isReference(this.b.types.get(result!)!) || this.hasAdjoint(result!))) {
        const resultType = this.b.types.get(result!)!;
        resultBar = isReference(resultType) ? ref(this.adjointName(result!)) : ref(this.numberBar(ref(result!))!);
        if (restoreArguments) {
          // Keep the result's adjoint before the argument (the same variable) is restored.
          resultBar = this.b.temp({ kind: "operand", value: resultBar }, derivativeType(resultType));
          if (!isReference(resultType)) this.resetBar(result!);
        }
      }
      // The callee's result does not vary: the variable it defines still starts again from zero.
      if (!calleeActivity.resultActive && resultActive && !isReference(this.b.types.get(result!)!) && this.hasAdjoint(result!)) {
        this.numberBar(ref(result!));
        this.resetBar(result!);
      }
      restoreArguments?.();
      restoreMutated();
      if (calleeActivity.resultActive) {
        if (resultBar) {
          callArgs.push(resultBar);
        } else {
          callArgs.push(fn.returnType.kind === "number" ? num(0) : result !== undefined ? this.b.temp({ kind: "zerosLike", like: ref(result), type: fn.returnType }, derivativeType(fn.returnType)) : this.discardedResultBar(fn.returnType));
        }
      }
      fn.params.forEach((p, i) => {
        if (mask[i] && isReference(p.type)) callArgs.push(this.containerBar(args[i]!));
      });
      if (!pullback.whole) callArgs.push(this.b.temp({ kind: "pop", object: ref(this.tapeFor(pullback.saved)), type: pullback.saved }, pullback.saved, "saved"));
      const numbers = fn.params.filter((p, i) => mask[i] && !isReference(p.type));
      if (numbers.length === 0) {
        this.b.emit({ kind: "callStmt", callee: name, args: callArgs });
      } else {
        const type: Type = { kind: "record", fields: numbers.map((p) => ({ name: p.name, type: NUMBER })) };
        const out = this.b.temp({ kind: "call", callee: name, args: callArgs }, type, `${fn.name}Bars`);
        fn.params.forEach((p, i) => {
          if (!mask[i] || isReference(p.type)) return;
          if (!this.numberBar(args[i]!)) return;
          this.addTo(args[i]!, this.b.temp({ kind: "field", object: out, name: p.name }, NUMBER));
        });
      }
      if (resultActive && !restoreArguments && !isReference(this.b.types.get(result!)!)) this.resetBar(result!);
    });
  }

  protected backwardLoop(s: Extract<Stmt, { kind: "loop" }>): void {
    const run = this.checkpointRuns.get(s);
    if (run) {
      // The taped step is finished with the forward sweep's rules (its saves), where it lands.
      const marker: Stmt = { kind: "comment", text: "taped step" };
      this.tapedSteps.set(marker, { step: run.loop.tapedStep, entries: run.budget?.entries });
      const backwardStep = this.b.capture(() => {
        this.recomputeHere(s.body);
        this.backwardBlock(s.body);
      });
      // Values recomputed for the whole loop go before it, as for any loop.
      this.recomputeHere(s.init);
      backwardBinomial(this.b, { ...run.loop, tapedStep: [marker], backwardStep }, run.store, run.start, run.end, run.snapshots, run.budget);
      this.backwardBlock(s.init);
      return;
    }
    const counted = this.prepared.counted.get(s);
    if (counted) {
      // Count the counter back down: it left the loop one step past its last iteration.
      const { counter, start, step } = counted;
      const prelude: Stmt[] = [];
      const cond = this.b.names.fresh("t", true);
      prelude.push({ kind: "let", name: cond, type: BOOLEAN, init: { kind: "binary", op: step === 1 ? ">" : "<", left: ref(counter), right: start }, mutable: false });
      const body = this.b.capture(() => {
        this.b.emit({ kind: "assign", name: counter, value: { kind: "binary", op: step === 1 ? "-" : "+", left: ref(counter), right: num(1) } });
        this.recomputeHere(s.body);
        this.backwardBlock(s.body);
      });
      // The loop's start may be a value its initializer computed.
      this.recomputeHere(s.init);
      if (counted.exit) setCounterToExit(this.b, counter, start, step, counted.exit);
      this.b.emit({ kind: "loop", init: [], test: { prelude, cond: ref(cond) }, update: [], body, bodyFirst: false, loc: s.loc });
      this.backwardBlock(s.init);
      return;
    }
    const trips = this.b.names.fresh("trips");
    this.b.types.set(trips, NUMBER);
    this.b.emit({ kind: "let", name: trips, type: NUMBER, init: { kind: "pop", object: ref(this.tapeFor(NUMBER, true)), type: NUMBER }, mutable: true, loc: s.loc });
    const cond = this.b.names.fresh("t", true);
    const test = { prelude: [{ kind: "let", name: cond, type: BOOLEAN, init: { kind: "binary", op: ">", left: ref(trips), right: num(0) }, mutable: false } as Stmt], cond: ref(cond) };
    // Each iteration ran body, update, test (a do…while's first test also follows its body).
    const body = this.b.capture(() => {
      this.b.emit({ kind: "assign", name: trips, value: { kind: "binary", op: "-", left: ref(trips), right: num(1) } });
      this.recomputeHere(s.body);
      if (s.test) this.backwardBlock(s.test.prelude);
      this.backwardBlock(s.update);
      this.backwardBlock(s.body);
    });
    this.recomputeHere(s.init);
    this.b.emit({ kind: "loop", init: [], test, update: [], body, bodyFirst: false, loc: s.loc });
    // A `while`/`for` tested once before its first iteration.
    if (s.test && !s.bodyFirst) {
      // Reversed a second time, in another scope: its single-use adjoints are declared anew.
      forEachStmt(s.test.prelude, (x) => x.kind === "let" && this.declaredSingle.delete(x.name));
      this.recomputeHere(s.test.prelude);
      this.backwardBlock(s.test.prelude);
    }
    this.backwardBlock(s.init);
  }

  /** Marks the top of a block's backward code, where its recomputed values are redefined. */
  protected recomputeHere(block: Stmt[]): void {
    const marker: Stmt = { kind: "comment", text: "recompute" };
    this.recomputeMarkers.set(marker, block);
    this.b.block.push(marker);
  }

  protected readonly recomputeMarkers = new Map<Stmt, Stmt[]>();
  /** Placeholders in the backward draft for a checkpointed loop's taped step. */
  protected readonly tapedSteps = new Map<Stmt, { step: Stmt[]; entries?: string }>();
  /** Replaces the draft's placeholders: recomputations at the top of blocks, restores where a value was saved. */
  protected finishBackward(block: Stmt[]): Stmt[] {
    const { saved, undone, recomputed } = this.plan;
    const atTop = new Map<Stmt[], Recomputation[]>();
    const afterUndo = new Map<Stmt, Recomputation[]>();
    const add = <K>(map: Map<K, Recomputation[]>, key: K, r: Recomputation) => {
      const list = map.get(key);
      if (list) list.push(r);
      else map.set(key, [r]);
    };
    for (const r of recomputed.values()) {
      if (r.afterUndo) add(afterUndo, r.afterUndo, r);
      else {
        add(atTop, r.block, r);
        if (r.alsoAt && r.alsoAt !== r.block) add(atTop, r.alsoAt, r);
      }
    }
    const definitionsOf = (list: Recomputation[] | undefined): Stmt[] => [...(list ?? [])].sort((a, b) => a.order - b.order).map((r) => ({ ...r.definition, mutable: false }));
    const rewrite = (stmts: Stmt[]): Stmt[] =>
      stmts.flatMap((s): Stmt[] => {
        const taped = this.tapedSteps.get(s);
        if (taped) return taped.entries ? countPushes(this.finishForward(taped.step), taped.entries) : this.finishForward(taped.step);
        const forBlock = this.recomputeMarkers.get(s);
        if (forBlock) return definitionsOf(atTop.get(forBlock));
        const marker = this.restoreMarkers.get(s);
        if (marker !== undefined) {
          const { name } = marker;
          if (!saved.get(name)?.has(marker.primal)) return [];
          // `index++` is undone by `index--`, not by a tape.
          const inverse = undone.get(marker.primal);
          if (inverse) return [{ ...inverse, loc: s.loc }, ...definitionsOf(afterUndo.get(marker.primal))];
          return this.restoreStatements(name, s.loc);
        }
        return [mapNestedBlocks(s, rewrite)];
      });
    return rewrite(block);
  }

}

/**
 * ∂ max/min / ∂ argᵢ: 1 for the first argument equal to the result, 0 for the others (the
 * last argument needs no test of its own: it is the result when no earlier one is).
 */
function pickPartial(args: Operand[], i: number): D {
  const equal = (o: Operand): D => ({ kind: "binary", op: "===", left: operandD(o), right: operandD(OUTPUT) });
  let d: D = i === args.length - 1 ? operandD(num(1)) : { kind: "select", cond: equal(args[i]!), whenTrue: operandD(num(1)), whenFalse: operandD(num(0)) };
  for (let j = i - 1; j >= 0; j--) d = { kind: "select", cond: equal(args[j]!), whenTrue: operandD(num(0)), whenFalse: d };
  return d;
}

/**
 * One contribution per operand: an operand used twice (`x * x`) gets the sum of its partials in
 * one update (`xBar += (x + x) * g`), not two updates of its adjoint.
 */
function mergedByOperand(d: ({ operand: Operand; partial: D } | undefined)[]): { operand: Operand; partial: D }[] {
  const merged: { operand: Operand; partial: D }[] = [];
  for (const item of d) {
    if (!item) continue;
    const same = item.operand.kind === "var" ? merged.find((m) => m.operand.kind === "var" && m.operand.name === (item.operand as { name: string }).name) : undefined;
    if (same) same.partial = add(same.partial, item.partial);
    else merged.push({ ...item });
  }
  return merged;
}
