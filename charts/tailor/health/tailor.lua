-- Argo CD health check for Tailor's resources (group tailor.dev: ModelFleet, DeviceClass,
-- ModelVariant), from their kstatus-style conditions. Argo CD passes the object as `obj`.
--   Degraded     Stalled=True, or Ready=False while the operator is no longer working on it
--                (Reconciling not True), or phase Failed/Degraded
--   Healthy      Ready=True for the generation the operator observed; a ModelVariant (an
--                immutable record) once the operator has written its status
--   Progressing  anything else: no status yet, an unobserved generation, Reconciling=True
local function result(status, message)
  return { status = status, message = message }
end

local function condition(status, type)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function describe(c)
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return c.reason or c.type
end

local status = obj.status
if status == nil then
  return result("Progressing", "waiting for the Tailor operator")
end
if obj.metadata.generation ~= nil and status.observedGeneration ~= nil
    and status.observedGeneration < obj.metadata.generation then
  return result("Progressing",
    "waiting for the operator to observe generation " .. obj.metadata.generation)
end

local ready = condition(status, "Ready")
local stalled = condition(status, "Stalled")
local reconciling = condition(status, "Reconciling")
if stalled ~= nil and stalled.status == "True" then
  return result("Degraded", describe(stalled))
end
if status.phase == "Failed" or status.phase == "Degraded" then
  local why = ""
  if ready ~= nil then
    why = ": " .. describe(ready)
  end
  return result("Degraded", "phase " .. status.phase .. why)
end
if ready ~= nil and ready.status == "True" then
  return result("Healthy", describe(ready))
end
if reconciling ~= nil and reconciling.status == "True" then
  return result("Progressing", describe(reconciling))
end
if ready ~= nil and ready.status == "False" then
  return result("Degraded", describe(ready))
end
if obj.kind == "ModelVariant" then
  if status.qualityGate ~= nil and status.qualityGate.passed == false then
    return result("Healthy",
      "variant registered; outside the quality gate: " .. (status.qualityGate.message or ""))
  end
  return result("Healthy", "variant registered")
end
return result("Progressing", "waiting for the Tailor operator")
